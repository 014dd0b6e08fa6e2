namespace MigrationKit.Postgres;

/// <summary>
/// One way runners of a history table take turns. While it is held, <see cref="SessionConnection.Fence"/> holds a
/// statement that every migration transaction and history write runs first, so nothing is written unless the lock is
/// provably still this run's.
/// </summary>
internal interface IMigrationLock : IAsyncDisposable
{
    /// <summary>Gets what the lock is, for logs (for example <c>advisory lock 123</c>).</summary>
    string Description { get; }

    /// <summary>Takes the lock, waiting up to <see cref="MigrationOptions.LockTimeout"/>.</summary>
    Task AcquireAsync(CancellationToken cancellationToken);

    /// <summary>Releases the lock; a failure is one line in the log.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}
