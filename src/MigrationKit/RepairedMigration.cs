namespace MigrationKit;

/// <summary>One history row whose checksum <see cref="IMigrationRunner.RepairAsync"/> re-recorded.</summary>
public sealed record RepairedMigration
{
    /// <summary>Gets the version.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the migration's description.</summary>
    public required string Description { get; init; }

    /// <summary>Gets the checksum that was recorded.</summary>
    public required string OldChecksum { get; init; }

    /// <summary>Gets the checksum of the source's up script, now recorded.</summary>
    public required string NewChecksum { get; init; }

    /// <summary>Gets the up script's origin.</summary>
    public required string Origin { get; init; }
}
