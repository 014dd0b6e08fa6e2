namespace MigrationKit.Running;

/// <summary>
/// The history as a run reads it, whatever the table holds. golang-migrate's one row (version V, dirty flag) means
/// every source version up to V is applied: those rows are made here, marked as golang-migrate's, exactly as adoption
/// would record them, so status, plan and validate tell the truth before anything is written.
/// </summary>
internal static class EffectiveHistory
{
    /// <summary>The description of golang-migrate's version when the source does not have it.</summary>
    public const string NotInSource = "recorded by golang-migrate, not in the source";

    public static IReadOnlyList<AppliedMigration> Of(MigrationHistory history, IReadOnlyList<Migration> migrations)
    {
        if (history.Format != HistoryFormat.GolangMigrate)
        {
            return history.Applied;
        }

        if (history.GolangMigrateVersion is not { } version)
        {
            return [];
        }

        var rows = migrations
            .Where(m => m.Version <= version)
            .Select(m => Golang(m.Version, m.Description, m.Version == version && history.GolangMigrateDirty))
            .ToList();
        if (!migrations.Any(m => m.Version == version))
        {
            rows.Add(Golang(version, NotInSource, history.GolangMigrateDirty));
            rows.Sort((a, b) => a.Version.CompareTo(b.Version));
        }

        return rows;
    }

    public static long? CurrentVersion(IReadOnlyList<AppliedMigration> history) =>
        history.Count == 0 ? null : history.Max(h => h.Version);

    private static AppliedMigration Golang(long version, string description, bool dirty) => new()
    {
        Version = version,
        Description = description,
        IsDirty = dirty,
        Kind = HistoryRecordKind.GolangMigrate,
    };
}
