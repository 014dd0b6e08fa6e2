using System.Runtime.CompilerServices;
using MigrationKit.Postgres;
using Npgsql;

namespace MigrationKit.Linting;

/// <summary>
/// What lint reads from a database: the server's major version, and the estimated size of each table a finding
/// names (<c>reltuples</c>, <c>pg_total_relation_size</c>). Reads only; one round trip for the sizes.
/// </summary>
internal static class LintCatalog
{
    /// <summary>
    /// The size of each table, by its name quoted for <c>to_regclass</c> (so the connection's search path resolves
    /// an unqualified one). A table that does not exist yet has no row. <c>reltuples</c> is -1 for a table never
    /// vacuumed or analyzed (PostgreSQL 14 on).
    /// </summary>
    public const string TableSizes = """
        SELECT t.name, c.reltuples::float8, c.relpages, pg_total_relation_size(c.oid)
        FROM unnest($1::text[]) AS t(name)
        JOIN pg_class c ON c.oid = to_regclass(t.name)
        """;

    /// <summary>Gets the server's major version (9 for 9.6), as Npgsql read it when it connected.</summary>
    public static int ServerVersion(NpgsqlConnection connection) => connection.PostgreSqlVersion.Major;

    /// <summary>Lints with the server's version, then adds each named table's size to its findings.</summary>
    public static async Task<LintReport> LintAsync(
        MigrationLinter linter,
        IEnumerable<Migration> migrations,
        IReadOnlySet<long>? pending,
        NpgsqlConnection? connection,
        CancellationToken cancellationToken)
    {
        LintReport report = linter.Lint(migrations, pending, connection is null ? null : ServerVersion(connection));
        return connection is null ? report : await AddTableSizesAsync(connection, report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the size of each table the findings name, as the catalog estimates it.</summary>
    public static async Task<LintReport> AddTableSizesAsync(NpgsqlConnection connection, LintReport report, CancellationToken cancellationToken)
    {
        var byQuotedName = new Dictionary<string, (long? Rows, long Bytes)>(StringComparer.Ordinal);
        string[] names = [.. report.Findings.Where(f => f.TableName is not null).Select(f => Quote(f.TableName!.Value)).Distinct(StringComparer.Ordinal)];
        if (names.Length == 0)
        {
            return report;
        }

        var command = new NpgsqlCommand(TableSizes, connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = names });
            NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                double reltuples = reader.GetDouble(1);
                int relpages = reader.GetInt32(2);

                // Before PostgreSQL 14, a table never vacuumed or analyzed shows 0 rows in 0 pages.
                long? rows = reltuples < 0 || (reltuples == 0 && relpages == 0) ? null : (long)Math.Round(reltuples);
                byQuotedName[reader.GetString(0)] = (rows, reader.GetInt64(3));
            }
        }

        var findings = report.Findings
            .Select(f => f.TableName is { } table && byQuotedName.TryGetValue(Quote(table), out (long? Rows, long Bytes) size)
                ? f.WithSize(size.Rows, size.Bytes)
                : f)
            .ToList();
        return new LintReport(findings, report.ServerVersion, report.MigrationCount, report.StatementCount);
    }

    private static string Quote(SqlName name) =>
        name.Schema is null ? PostgresIdentifier.Quote(name.Name) : PostgresIdentifier.Quote(name.Schema, name.Name);
}
