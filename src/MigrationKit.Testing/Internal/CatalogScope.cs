namespace MigrationKit.Testing.Internal;

/// <summary>
/// What a <see cref="CatalogSnapshot"/> leaves out besides the system schemas and extension members: MigrationKit's own
/// history table and the tables named beside it (the lease lock's <c>&lt;table&gt;_lock</c>), with everything that
/// belongs to them, and the existence of the history schema itself (the runner creates it on its first run).
/// </summary>
/// <param name="HistorySchema">The schema of the history table.</param>
/// <param name="HistoryTables">The tables of that schema to leave out.</param>
internal sealed record CatalogScope(string HistorySchema, IReadOnlyList<string> HistoryTables)
{
    /// <summary>Gets the scope that leaves out <paramref name="options"/>' history table and its lock table.</summary>
    public static CatalogScope For(MigrationOptions options) =>
        new(options.Schema, [options.TableName, options.TableName + "_lock"]);
}
