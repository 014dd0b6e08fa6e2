namespace MigrationKit.Cli;

/// <summary>
/// What a command may touch outside itself: the three standard streams, whether they are terminals, environment
/// variables and the clock. <see cref="FromConsole"/> is the real one; tests pass their own.
/// </summary>
internal sealed class CliEnvironment
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    public bool IsOutputTerminal { get; init; }

    public bool IsErrorTerminal { get; init; }

    public bool IsInputTerminal { get; init; }

    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static CliEnvironment FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        IsOutputTerminal = !Console.IsOutputRedirected,
        IsErrorTerminal = !Console.IsErrorRedirected,
        IsInputTerminal = !Console.IsInputRedirected,
    };

    /// <summary>Colour only on a terminal, and never when <c>NO_COLOR</c> is set to anything (no-color.org) or <c>TERM=dumb</c>.</summary>
    public bool UsesColor(bool isTerminal) =>
        isTerminal && string.IsNullOrEmpty(GetVariable("NO_COLOR")) && !string.Equals(GetVariable("TERM"), "dumb", StringComparison.Ordinal);
}
