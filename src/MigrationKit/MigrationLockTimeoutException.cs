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
    /// <param name="lockKey">The advisory lock key.</param>
    /// <param name="holderProcessId">The holder's backend pid, when it could be read.</param>
    /// <param name="holderApplicationName">The holder's <c>application_name</c>, when it could be read.</param>
    /// <param name="holderSince">When the holder's session started, when it could be read.</param>
    public MigrationLockTimeoutException(
        string message,
        TimeSpan timeout,
        long lockKey,
        int? holderProcessId,
        string? holderApplicationName,
        DateTimeOffset? holderSince)
        : base(message)
    {
        Timeout = timeout;
        LockKey = lockKey;
        HolderProcessId = holderProcessId;
        HolderApplicationName = holderApplicationName;
        HolderSince = holderSince;
    }

    /// <summary>Gets how long the runner waited.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets the advisory lock key.</summary>
    public long LockKey { get; }

    /// <summary>Gets the backend pid of the session holding the lock, when known.</summary>
    public int? HolderProcessId { get; }

    /// <summary>Gets the <c>application_name</c> of the session holding the lock, when known.</summary>
    public string? HolderApplicationName { get; }

    /// <summary>Gets when the session holding the lock connected, when known.</summary>
    public DateTimeOffset? HolderSince { get; }
}
