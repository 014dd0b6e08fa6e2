namespace MigrationKit;

/// <summary>What the history table holds.</summary>
public enum HistoryFormat
{
    /// <summary>There is no history table yet: nothing is applied.</summary>
    None = 0,

    /// <summary>A MigrationKit history table, one row per applied version.</summary>
    MigrationKit = 1,

    /// <summary>
    /// golang-migrate's <c>(version, dirty)</c> table with at most one row. It is read as it is (golang-migrate's version
    /// and every source version up to it count as applied) and upgraded in place by the next run that writes.
    /// </summary>
    GolangMigrate = 2,
}
