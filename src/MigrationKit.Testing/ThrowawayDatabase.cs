namespace MigrationKit.Testing;

/// <summary>
/// A database created by <see cref="PostgresServer.CreateDatabaseAsync(IMigrationSource, Action{MigrationOptions}?, CancellationToken)"/>
/// or <see cref="PostgresServer.CreateEmptyDatabaseAsync(string?, CancellationToken)"/> for one test; disposing it
/// drops it, even while connections to it are open.
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
    /// Drops the database without making the test wait for it: clears Npgsql's pool for <see cref="ConnectionString"/>
    /// and queues <c>DROP DATABASE ... WITH (FORCE)</c> (which ends connections still open), run in the background
    /// one after another. <see cref="PostgresServer.DisposeAsync"/> waits for the queue on a server it did not
    /// start. Use <see cref="DropAsync(CancellationToken)"/> when the database must be gone when the call returns.
    /// Nothing happens when the server was disposed first, or on a second call.
    /// </summary>
    /// <returns>A task that completes when the drop is queued.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await server.DropDatabaseAsync(this, inBackground: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops the database now: clears Npgsql's pool for <see cref="ConnectionString"/>, then runs
    /// <c>DROP DATABASE ... WITH (FORCE)</c> (PostgreSQL 13 and later; before, it terminates the sessions first),
    /// which ends connections still open. Nothing happens when the database was disposed or dropped already, or
    /// the server was disposed first.
    /// </summary>
    /// <param name="cancellationToken">Cancels the drop.</param>
    /// <returns>A task that completes when the database is gone.</returns>
    public async Task DropAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await server.DropDatabaseAsync(this, inBackground: false, cancellationToken).ConfigureAwait(false);
    }
}
