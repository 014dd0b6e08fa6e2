using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// Reads the indexes a failed <c>CREATE INDEX CONCURRENTLY</c> left INVALID: for the pre-flight check, and for the
/// error message of a script that failed outside a transaction.
/// </summary>
internal sealed class InvalidIndexes(SessionConnection session)
{
    /// <summary>Indexes left INVALID by a failed CREATE INDEX CONCURRENTLY, schema-qualified.</summary>
    public Task<IReadOnlyList<string>> ReadAsync(CancellationToken cancellationToken) =>
        session.GuardAsync(
            () => ReadCoreAsync(cancellationToken),
            "reading the indexes a failed CREATE INDEX CONCURRENTLY may have left",
            "Nothing was changed. Run again once the server is reachable.",
            cancellationToken);

    private async Task<IReadOnlyList<string>> ReadCoreAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = session.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(HistorySql.InvalidIndexes));
        NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var names = new List<string>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }
    }

    /// <summary>The same, for an error message: nothing when the connection is gone or the read fails.</summary>
    public async Task<IReadOnlyList<string>> ReadQuietlyAsync()
    {
        if (session.Connection.State != System.Data.ConnectionState.Open)
        {
            return [];
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await ReadCoreAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            return [];
        }
    }
}
