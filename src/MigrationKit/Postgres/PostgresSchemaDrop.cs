using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>Drops every object of the history table's schema in one transaction, keeping the schema, its grants and the lease table.</summary>
internal sealed class PostgresSchemaDrop(SessionConnection session, HistorySql sql, LockSql lockSql)
{
    public Task DropAsync(CancellationToken cancellationToken) =>
        session.GuardAsync(
            async () =>
            {
                var drops = new List<NpgsqlBatchCommand>();
                using (NpgsqlBatch query = session.CreateBatch())
                {
                    query.BatchCommands.Add(SessionConnection.Command(HistorySql.DropStatements, sql.Schema, lockSql.LeaseTableName));
                    NpgsqlDataReader reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            drops.Add(new NpgsqlBatchCommand(reader.GetString(1)));
                        }
                    }
                }

                if (drops.Count > 0)
                {
                    await session.RunInTransactionAsync(drops, cancellationToken).ConfigureAwait(false);
                }
            },
            $"dropping every object of schema {sql.QuotedSchema}",
            "The drop is one transaction: it happened whole or not at all. Run status to see which, and drop again if needed.",
            cancellationToken);
}
