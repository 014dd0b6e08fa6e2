namespace MigrationKit.Testing;

/// <summary>
/// A database created by <see cref="PostgresServer.CreateEmptyDatabaseAsync(string?, CancellationToken)"/> for one
/// test; disposing it drops it, even while connections to it are open.
/// </summary>
public sealed class ThrowawayDatabase : IAsyncDisposable
{
    private readonly PostgresServer server;
    private int disposed;

    internal ThrowawayDatabase(PostgresServer server, string name, string connectionString)
    {
        this.server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>Gets the database name (lowercase, at most 63 bytes).</summary>
    public string Name { get; }

    /// <summary>Gets the Npgsql connection string to this database, with the server's user and settings.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Drops the database: clears Npgsql's pool for <see cref="ConnectionString"/>, then runs
    /// <c>DROP DATABASE ... WITH (FORCE)</c> (PostgreSQL 13 and later; before, it terminates the sessions first),
    /// which ends connections still open. Nothing happens when the server was disposed first.
    /// </summary>
    /// <returns>A task that completes when the database is dropped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await server.DropDatabaseAsync(this).ConfigureAwait(false);
    }
}
