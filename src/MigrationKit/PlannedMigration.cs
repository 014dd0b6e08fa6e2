namespace MigrationKit;

/// <summary>One script a plan would run.</summary>
/// <param name="Migration">The migration.</param>
/// <param name="Direction">Which of its scripts would run.</param>
public sealed record PlannedMigration(Migration Migration, MigrationDirection Direction)
{
    /// <summary>Gets the migration's version.</summary>
    public long Version => Migration.Version;

    /// <summary>Gets the migration's description.</summary>
    public string Description => Migration.Description;

    /// <summary>Gets the script that would run: the up script going up, the down script going down.</summary>
    public MigrationScript Script => Direction == MigrationDirection.Up
        ? Migration.Up
        : Migration.Down ?? throw new InvalidOperationException($"Migration {Migration} has no down script.");
}
