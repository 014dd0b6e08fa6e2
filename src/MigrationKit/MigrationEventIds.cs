namespace MigrationKit;

/// <summary>
/// The ids of MigrationKit's log events, a contract: append only, in ranges (1xxx run, 2xxx lock, 3xxx script, 4xxx
/// source, 5xxx start-up). Filter or alert on them by id; each event's name is the constant's name.
/// </summary>
public static class MigrationEventIds
{
    /// <summary>1000: A run with work to do starts: how many scripts, from which version to which.</summary>
    public const int RunStarting = 1000;

    /// <summary>1001: A run finished every script.</summary>
    public const int RunCompleted = 1001;

    /// <summary>1002: Nothing to run.</summary>
    public const int UpToDate = 1002;

    /// <summary>1004: The history was forced to a version.</summary>
    public const int Forced = 1004;

    /// <summary>1005: An existing schema was baselined.</summary>
    public const int Baselined = 1005;

    /// <summary>1006: Every object of the schema was dropped.</summary>
    public const int Dropped = 1006;

    /// <summary>1007: golang-migrate's history table was upgraded in place.</summary>
    public const int GolangMigrateAdopted = 1007;

    /// <summary>1008: The history table was created.</summary>
    public const int HistoryCreated = 1008;

    /// <summary>1009: A pending version below the newest applied one is applied (OutOfOrder = Apply).</summary>
    public const int ApplyingOutOfOrder = 1009;

    /// <summary>1010: A problem that does not block the run.</summary>
    public const int ValidationWarning = 1010;

    /// <summary>1011: A pooled connection the server had closed was replaced before anything ran on it.</summary>
    public const int ConnectionReplaced = 1011;

    /// <summary>1012: Checksums of applied scripts were re-recorded.</summary>
    public const int Repaired = 1012;

    /// <summary>2000: Another runner holds the advisory lock; this one waits.</summary>
    public const int WaitingForLock = 2000;

    /// <summary>2001: The migration lock was taken.</summary>
    public const int LockAcquired = 2001;

    /// <summary>2002: The migration lock was released.</summary>
    public const int LockReleased = 2002;

    /// <summary>2003: The lock was not granted within LockTimeout.</summary>
    public const int LockTimedOut = 2003;

    /// <summary>2004: Releasing the lock failed (one line; the lock goes with the connection, or the lease expires).</summary>
    public const int LockReleaseFailed = 2004;

    /// <summary>2005: Which lock a session takes, and why (LockMode).</summary>
    public const int LockModeChosen = 2005;

    /// <summary>2006: Another runner holds the lease; this one waits.</summary>
    public const int WaitingForLease = 2006;

    /// <summary>2007: An expired lease of a runner that stopped renewing it was taken over.</summary>
    public const int LeaseTakenOver = 2007;

    /// <summary>2008: Renewing the lease failed; it is tried again.</summary>
    public const int LeaseRenewalFailed = 2008;

    /// <summary>2009: The lease expired and another runner took it over.</summary>
    public const int LeaseLost = 2009;

    /// <summary>3000: A script starts.</summary>
    public const int MigrationStarting = 3000;

    /// <summary>3001: A script ran and was recorded.</summary>
    public const int MigrationApplied = 3001;

    /// <summary>3002: A script failed (Debug: the exception carries the story).</summary>
    public const int MigrationFailed = 3002;

    /// <summary>3003: A script runs outside a transaction, under the dirty flag.</summary>
    public const int RunningOutsideTransaction = 3003;

    /// <summary>3004: A transactional migration is retried after a lock timeout (DdlLockRetries).</summary>
    public const int DdlLockRetry = 3004;

    /// <summary>3005: A script's text (Trace only).</summary>
    public const int ScriptText = 3005;

    /// <summary>3006: A script's own BEGIN/COMMIT wrapper was replaced by the runner's transaction.</summary>
    public const int TransactionWrapperRemoved = 3006;

    /// <summary>3007: A lint finding of a migration about to be applied.</summary>
    public const int LintFinding = 3007;

    /// <summary>4000: The source was read.</summary>
    public const int SourceLoaded = 4000;

    /// <summary>5000: The hosted service starts migrating.</summary>
    public const int StartupMigrating = 5000;

    /// <summary>5001: The hosted service finished migrating.</summary>
    public const int StartupMigrated = 5001;

    /// <summary>5002: MigrateOnStartup is off.</summary>
    public const int StartupMigrationDisabled = 5002;

    /// <summary>5003: The database is not reachable yet; start-up retries (StartupConnectRetry).</summary>
    public const int StartupDatabaseUnavailable = 5003;

    /// <summary>5004: The start-up migration failed; the host stops.</summary>
    public const int StartupMigrationFailed = 5004;

    /// <summary>5005: The host stopped while it migrated; the running migration was rolled back.</summary>
    public const int StartupMigrationCanceled = 5005;
}
