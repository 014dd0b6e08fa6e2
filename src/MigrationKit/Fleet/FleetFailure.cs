namespace MigrationKit.Fleet;

/// <summary>Why a target failed: the migration, where in its file, the SQLSTATE and the message.</summary>
public sealed record FleetFailure
{
    /// <summary>Gets the migration that failed, when one did (not for a lost connection before any ran, say).</summary>
    public long? Version { get; init; }

    /// <summary>Gets the file (or resource) of the failing script, when known.</summary>
    public string? File { get; init; }

    /// <summary>Gets the 1-based line in <see cref="File"/>, when known.</summary>
    public int? Line { get; init; }

    /// <summary>Gets the 1-based column in <see cref="File"/>, when known.</summary>
    public int? Column { get; init; }

    /// <summary>Gets the SQLSTATE the server reported, when it reported one.</summary>
    public string? SqlState { get; init; }

    /// <summary>Gets the kind of failure: the name of the exception (for example <c>MigrationFailedException</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the full message: what happened, what state the target is left in, and what to do.</summary>
    public required string Message { get; init; }
}
