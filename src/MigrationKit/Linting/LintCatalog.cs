using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// What lint reads from the store: the server's major version, and the estimated size of each table a finding names,
/// through <see cref="IMigrationStoreSession"/> (the PostgreSQL store reads them from its catalog in one round trip).
/// </summary>
internal static class LintCatalog
{
    /// <summary>Lints with the store's server version, then adds each named table's size to its findings.</summary>
    public static async Task<LintReport> LintAsync(
        MigrationLinter linter,
        IEnumerable<Migration> migrations,
        IReadOnlySet<long>? pending,
        IMigrationStoreSession? session,
        CancellationToken cancellationToken)
    {
        LintReport report = linter.Lint(migrations, pending, session?.ServerVersion?.Major);
        return session is null ? report : await AddTableSizesAsync(session, report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the size of each table the findings name, as the store's catalog estimates it.</summary>
    public static async Task<LintReport> AddTableSizesAsync(IMigrationStoreSession session, LintReport report, CancellationToken cancellationToken)
    {
        string[] names = [.. report.Findings.Where(f => f.TableName is not null).Select(f => Quote(f.TableName!.Value)).Distinct(StringComparer.Ordinal)];
        if (names.Length == 0)
        {
            return report;
        }

        var byQuotedName = (await session.ReadTableStatisticsAsync(names, cancellationToken).ConfigureAwait(false))
            .ToDictionary(t => t.Table, StringComparer.Ordinal);
        var findings = report.Findings
            .Select(f => f.TableName is { } table && byQuotedName.TryGetValue(Quote(table), out TableStatistics? size)
                ? f.WithSize(size.EstimatedRows, size.TotalBytes)
                : f)
            .ToList();
        return new LintReport(findings, report.ServerVersion, report.MigrationCount, report.StatementCount);
    }

    private static string Quote(SqlName name) =>
        name.Schema is null ? PostgresIdentifier.Quote(name.Name) : PostgresIdentifier.Quote(name.Schema, name.Name);
}
