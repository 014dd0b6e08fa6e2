using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>The catalog's estimate of table sizes (<c>reltuples</c>, <c>pg_total_relation_size</c>), in one round trip.</summary>
internal sealed class PostgresTableStatistics(SessionConnection session)
{
    /// <summary>
    /// The size of each table, by its name quoted for <c>to_regclass</c> (so the connection's search path resolves an
    /// unqualified one). A table that does not exist yet has no row. <c>reltuples</c> is -1 for a table never vacuumed
    /// or analyzed (PostgreSQL 14 on).
    /// </summary>
    private const string TableSizes = """
        SELECT t.name, c.reltuples::float8, c.relpages, pg_catalog.pg_total_relation_size(c.oid)
        FROM unnest($1::text[]) AS t(name)
        JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(t.name)
        """;

    public Task<IReadOnlyList<TableStatistics>> ReadAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken) =>
        session.GuardAsync(
            async () =>
            {
                using NpgsqlBatch batch = session.CreateBatch();
                batch.BatchCommands.Add(SessionConnection.Command(TableSizes, (object)tables.ToArray()));
                NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var sizes = new List<TableStatistics>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        double reltuples = reader.GetDouble(1);
                        int relpages = reader.GetInt32(2);

                        // Before PostgreSQL 14, a table never vacuumed or analyzed shows 0 rows in 0 pages.
                        sizes.Add(new TableStatistics
                        {
                            Table = reader.GetString(0),
                            EstimatedRows = reltuples < 0 || (reltuples == 0 && relpages == 0) ? null : (long)Math.Round(reltuples),
                            TotalBytes = reader.GetInt64(3),
                        });
                    }

                    return (IReadOnlyList<TableStatistics>)sizes;
                }
            },
            "reading table sizes for lint",
            "Nothing was changed.",
            cancellationToken);
}
