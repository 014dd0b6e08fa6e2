namespace MigrationKit;

/// <summary>What a store's history holds, read as it is: MigrationKit's rows, golang-migrate's version, or nothing.</summary>
public sealed class MigrationHistory
{
    /// <summary>Gets the history of a database with no history table.</summary>
    public static MigrationHistory None { get; } = new() { Format = HistoryFormat.None };

    /// <summary>Gets what the history table holds.</summary>
    public required HistoryFormat Format { get; init; }

    /// <summary>
    /// Gets MigrationKit's rows, ordered by version; empty for <see cref="HistoryFormat.None"/> and
    /// <see cref="HistoryFormat.GolangMigrate"/>.
    /// </summary>
    public IReadOnlyList<AppliedMigration> Applied { get; init; } = [];

    /// <summary>
    /// Gets golang-migrate's version for <see cref="HistoryFormat.GolangMigrate"/>, or <see langword="null"/> when its
    /// table holds no row (or the format is another).
    /// </summary>
    public long? GolangMigrateVersion { get; init; }

    /// <summary>Gets golang-migrate's dirty flag for <see cref="HistoryFormat.GolangMigrate"/>.</summary>
    public bool GolangMigrateDirty { get; init; }
}
