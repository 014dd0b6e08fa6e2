namespace MigrationKit.Cli.Tests.Support;

/// <summary>How to start the tool: its database, standard input, working directory and environment.</summary>
public sealed record CliStart
{
    /// <summary>Gets the value of DATABASE_URL, or null for none.</summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>Gets what standard input holds; it is closed after it (or at once when null).</summary>
    public string? Input { get; init; }

    /// <summary>Gets a value indicating whether standard input stays open, as a terminal nobody types in.</summary>
    public bool KeepInputOpen { get; init; }

    /// <summary>Gets a value indicating whether the in-process run's streams pretend to be a terminal.</summary>
    public bool Terminal { get; init; }

    public string? WorkingDirectory { get; init; }

    public Dictionary<string, string?> Environment { get; init; } = [];

    /// <summary>Gets a value indicating whether SIGINT is reset to its default before the tool starts (for the Ctrl+C tests).</summary>
    public bool DefaultSigInt { get; init; }
}
