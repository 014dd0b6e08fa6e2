namespace MigrationKit;

/// <summary>How a history row came to be: by running the migration's script, or by recording it without running it.</summary>
public enum HistoryRecordKind
{
    /// <summary>Its up script ran (or it was applied before MigrationKit recorded the difference).</summary>
    Applied = 0,

    /// <summary>Recorded by <see cref="IMigrationRunner.ForceAsync"/>: the schema was declared to be at or past it, nothing ran.</summary>
    Forced = 1,

    /// <summary>Recorded by <see cref="IMigrationRunner.BaselineAsync"/>: an existing schema was adopted, nothing ran.</summary>
    Baselined = 2,

    /// <summary>Recorded when a golang-migrate <c>schema_migrations</c> table was adopted: golang-migrate had applied it.</summary>
    AdoptedFromGolangMigrate = 3,

    /// <summary>
    /// Still in golang-migrate's own table, not yet adopted: golang-migrate's version is at or past it. The next run that
    /// changes the database (up, force, baseline, repair) adopts the table.
    /// </summary>
    GolangMigrate = 4,
}
