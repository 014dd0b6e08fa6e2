namespace MigrationKit;

/// <summary>One script that a run executed.</summary>
public sealed record ExecutedMigration
{
    /// <summary>Gets the migration's version.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the migration's description.</summary>
    public required string Description { get; init; }

    /// <summary>Gets whether its up or its down script ran.</summary>
    public MigrationDirection Direction { get; init; }

    /// <summary>Gets how long the script took, its history record included.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets a value indicating whether it ran outside a transaction, statement by statement.</summary>
    public bool RanOutsideTransaction { get; init; }
}
