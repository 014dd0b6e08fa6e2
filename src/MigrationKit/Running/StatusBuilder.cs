namespace MigrationKit.Running;

/// <summary>Builds a <see cref="MigrationStatus"/>: one entry per version of the source or the history.</summary>
internal static class StatusBuilder
{
    public static MigrationStatus Build(IReadOnlyList<Migration> migrations, MigrationHistory history)
    {
        IReadOnlyList<AppliedMigration> rows = EffectiveHistory.Of(history, migrations);
        var byVersion = rows.ToDictionary(h => h.Version);
        var entries = new List<MigrationStatusEntry>(Math.Max(migrations.Count, rows.Count));
        foreach (Migration migration in migrations)
        {
            if (!byVersion.Remove(migration.Version, out AppliedMigration? applied))
            {
                entries.Add(new MigrationStatusEntry { Version = migration.Version, Description = migration.Description, State = MigrationState.Pending, Migration = migration });
                continue;
            }

            MigrationState state = applied.IsDirty ? MigrationState.Dirty
                : applied.Checksum is not null && !string.Equals(applied.Checksum, migration.Up.Checksum, StringComparison.Ordinal) ? MigrationState.Drifted
                : MigrationState.Applied;
            entries.Add(new MigrationStatusEntry { Version = migration.Version, Description = migration.Description, State = state, Migration = migration, Applied = applied });
        }

        foreach (AppliedMigration orphan in byVersion.Values)
        {
            entries.Add(new MigrationStatusEntry
            {
                Version = orphan.Version,
                Description = orphan.Description,
                State = orphan.IsDirty ? MigrationState.Dirty : MigrationState.Missing,
                Applied = orphan,
            });
        }

        entries.Sort((a, b) => a.Version.CompareTo(b.Version));
        return new MigrationStatus(entries, history.Format);
    }
}
