namespace MigrationKit.Running;

/// <summary>What a repair re-records: each applied version whose recorded checksum differs from its source file's.</summary>
internal static class RepairPlanner
{
    public static IReadOnlyList<RepairedMigration> Plan(IReadOnlyList<Migration> migrations, MigrationHistory history)
    {
        var bySource = migrations.ToDictionary(m => m.Version);
        var repaired = new List<RepairedMigration>();
        foreach (AppliedMigration applied in history.Applied)
        {
            if (applied.Checksum is { } recorded
                && bySource.TryGetValue(applied.Version, out Migration? migration)
                && !string.Equals(recorded, migration.Up.Checksum, StringComparison.Ordinal))
            {
                repaired.Add(new RepairedMigration
                {
                    Version = applied.Version,
                    Description = migration.Description,
                    OldChecksum = recorded,
                    NewChecksum = migration.Up.Checksum,
                    Origin = migration.Up.Origin,
                });
            }
        }

        return repaired;
    }
}
