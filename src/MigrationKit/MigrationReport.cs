namespace MigrationKit;

/// <summary>What a run did.</summary>
public sealed record MigrationReport
{
    /// <summary>Gets the newest applied version before the run, or <see langword="null"/> when none was applied.</summary>
    public long? StartVersion { get; init; }

    /// <summary>Gets the newest applied version after the run, or <see langword="null"/> when none is applied.</summary>
    public long? EndVersion { get; init; }

    /// <summary>Gets the scripts that ran, in the order they ran.</summary>
    public required IReadOnlyList<ExecutedMigration> Executed { get; init; }

    /// <summary>Gets how long the whole run took, waiting for the lock included.</summary>
    public TimeSpan Duration { get; init; }
}
