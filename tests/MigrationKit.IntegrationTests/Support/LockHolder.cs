using MigrationKit.Postgres;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Support;

/// <summary>
/// A session that holds a history table's migration lock and does nothing else: a runner stuck forever, or a person's
/// psql left open after <c>SELECT pg_advisory_lock(…)</c>. Disposing it closes the session, which frees the lock.
/// </summary>
public sealed class LockHolder : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private LockHolder(NpgsqlConnection connection, int processId, string applicationName)
    {
        _connection = connection;
        ProcessId = processId;
        ApplicationName = applicationName;
    }

    public int ProcessId { get; }

    public string ApplicationName { get; }

    public static async Task<LockHolder> TakeAsync(ThrowawayDatabase db, string applicationName, string schema = "public", string table = "schema_migrations")
    {
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = applicationName, Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = MigrationLockKey.Compute(connection.Database, schema, table) });
            await command.ExecuteNonQueryAsync();
        }

        return new LockHolder(connection, connection.ProcessID, applicationName);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
