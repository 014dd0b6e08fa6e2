namespace MigrationKit;

/// <summary>
/// Another session held the migration lock for longer than <see cref="MigrationOptions.LockTimeout"/>. The message
/// names the holder, read from <c>pg_locks</c> and <c>pg_stat_activity</c>.
/// </summary>
public sealed class MigrationLockTimeoutException : MigrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="timeout">How long the runner waited.</param>
    /// <param name="lockKey">The advisory lock key, or 0 for a lease.</param>
    /// <param name="holderProcessId">The holder's backend pid (advisory lock) or operating-system process id (lease), when it could be read.</param>
    /// <param name="holderApplicationName">The holder's <c>application_name</c>, when it could be read.</param>
    /// <param name="holderSince">When the holder's session started (advisory lock) or took the lease, when it could be read.</param>
    /// <param name="holderHost">The host of the runner holding a lease, when known.</param>
    public MigrationLockTimeoutException(
        string message,
        TimeSpan timeout,
        long lockKey,
        int? holderProcessId,
        string? holderApplicationName,
        DateTimeOffset? holderSince,
        string? holderHost = null)
        : base(message)
    {
        Timeout = timeout;
        LockKey = lockKey;
        HolderProcessId = holderProcessId;
        HolderApplicationName = holderApplicationName;
        HolderSince = holderSince;
        HolderHost = holderHost;
    }

    /// <summary>Gets how long the runner waited.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets the advisory lock key, or 0 for a lease.</summary>
    public long LockKey { get; }

    /// <summary>Gets the backend pid of the session holding an advisory lock, or the process id of the runner holding a lease, when known.</summary>
    public int? HolderProcessId { get; }

    /// <summary>Gets the <c>application_name</c> of the session holding the lock, when known.</summary>
    public string? HolderApplicationName { get; }

    /// <summary>Gets when the session holding the lock connected, when known.</summary>
    public DateTimeOffset? HolderSince { get; }

    /// <summary>Gets the host of the runner that holds a lease (<see cref="LockMode.Lease"/>), when known.</summary>
    public string? HolderHost { get; }
}
