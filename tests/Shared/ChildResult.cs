namespace MigrationKit.Tests.Shared;

/// <summary>What a child process did: its exit code and everything it wrote, standard output and error apart.</summary>
public sealed record ChildResult(int ExitCode, string Out, string Error)
{
    /// <summary>Gets standard output followed by standard error.</summary>
    public string All => Out + Error;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}
