namespace MigrationKit;

/// <summary>One script a plan runs: a migration, a direction, and the script of that direction.</summary>
public sealed record PlannedMigration
{
    /// <summary>Creates a step.</summary>
    /// <param name="migration">The migration.</param>
    /// <param name="direction">Which of its scripts runs.</param>
    /// <exception cref="ArgumentException">The direction is down and the migration has no down script.</exception>
    public PlannedMigration(Migration migration, MigrationDirection direction)
    {
        ArgumentNullException.ThrowIfNull(migration);
        Migration = migration;
        Direction = direction;
        Script = direction == MigrationDirection.Up
            ? migration.Up
            : migration.Down ?? throw new ArgumentException($"Migration {migration} has no down script, so it cannot be reverted.", nameof(direction));
    }

    /// <summary>Gets the migration.</summary>
    public Migration Migration { get; }

    /// <summary>Gets which of its scripts runs.</summary>
    public MigrationDirection Direction { get; }

    /// <summary>Gets the script that runs: the up script going up, the down script going down.</summary>
    public MigrationScript Script { get; }

    /// <summary>Gets the migration's version.</summary>
    public long Version => Migration.Version;

    /// <summary>Gets the migration's description.</summary>
    public string Description => Migration.Description;
}
