namespace MigrationKit;

/// <summary>What <see cref="IMigrationRunner.RepairAsync"/> changed.</summary>
public sealed record RepairReport
{
    /// <summary>Gets the versions whose recorded checksum was replaced by the source's, in version order.</summary>
    public required IReadOnlyList<RepairedMigration> Repaired { get; init; }
}
