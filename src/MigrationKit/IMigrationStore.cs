namespace MigrationKit;

/// <summary>
/// The database side of migrations: the history table, the migration lock, and running a script together with
/// its history record. A store never reads migration files.
/// </summary>
public interface IMigrationStore
{
    /// <summary>Opens a session on one dedicated connection. A run uses one session from start to end.</summary>
    /// <param name="cancellationToken">Cancels opening the connection.</param>
    /// <returns>The open session; dispose it to release the lock and the connection.</returns>
    Task<IMigrationStoreSession> OpenSessionAsync(CancellationToken cancellationToken = default);
}
