namespace MigrationKit.Tests.Shared;

/// <summary>How <see cref="ChildProcess.Start"/> feeds a process and reports its lines.</summary>
public sealed record ChildProcessOptions
{
    /// <summary>Gets the name used in failure messages (e.g. "migrationkit", "the Planner").</summary>
    public string Name { get; init; } = "the child process";

    /// <summary>Gets what standard input holds; it is closed after it (or at once when null) unless <see cref="KeepInputOpen"/>.</summary>
    public string? Input { get; init; }

    /// <summary>Gets a value indicating whether standard input stays open, for <see cref="ChildProcess.Input"/> or a process that must not see its end.</summary>
    public bool KeepInputOpen { get; init; }

    /// <summary>Gets a callback for each line of standard output, called in order, before any wait for that line completes.</summary>
    public Action<string>? OnOutputLine { get; init; }

    /// <summary>Gets a callback for each line of standard error.</summary>
    public Action<string>? OnErrorLine { get; init; }
}
