namespace MigrationKit.Running;

/// <summary>The brackets every operation runs in: a session opened and closed, the lock taken and released.</summary>
internal static class SessionBrackets
{
    /// <summary>Opens a session and runs <paramref name="work"/> with the lock held.</summary>
    public static async Task<T> LockedAsync<T>(IMigrationStore store, Func<IMigrationStoreSession, Task<T>> work, CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await WithLockAsync(session, () => work(session), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Opens a session and runs <paramref name="work"/> without the lock (reads only).</summary>
    public static async Task<T> ReadAsync<T>(IMigrationStore store, Func<IMigrationStoreSession, Task<T>> work, CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await work(session).ConfigureAwait(false);
        }
    }

    /// <summary>The lock bracket: taken, the work, released whatever happened.</summary>
    public static async Task<T> WithLockAsync<T>(IMigrationStoreSession session, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await session.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            await session.ReleaseLockAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Closes a session that was being opened when something else failed; its own failure adds nothing.</summary>
    public static async Task DisposeWhenOpenAsync(Task<IMigrationStoreSession> opening)
    {
        try
        {
            await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MigrationException or OperationCanceledException or Npgsql.NpgsqlException)
        {
            // The load's failure is the one to report.
        }
    }
}
