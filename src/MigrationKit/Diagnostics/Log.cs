using Microsoft.Extensions.Logging;

namespace MigrationKit.Diagnostics;

/// <summary>
/// Every log event of the engine. Event ids are a contract, append only, in ranges: 1xxx run, 2xxx lock,
/// 3xxx script, 4xxx source (5xxx start-up lives with the hosting code). Messages never carry a connection string,
/// a password, or a script body above Trace.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = MigrationEventIds.RunStarting, EventName = nameof(MigrationEventIds.RunStarting), Level = LogLevel.Information,
        Message = "Migrating {HistoryTable}: {StepCount} script(s) to run, from version {FromVersion} to {ToVersion}")]
    public static partial void RunStarting(this ILogger logger, string historyTable, int stepCount, string fromVersion, string toVersion);

    [LoggerMessage(EventId = MigrationEventIds.RunCompleted, EventName = nameof(MigrationEventIds.RunCompleted), Level = LogLevel.Information,
        Message = "Migrated {HistoryTable} from version {FromVersion} to {ToVersion}: {StepCount} script(s) in {ElapsedMs:0} ms")]
    public static partial void RunCompleted(this ILogger logger, string historyTable, string fromVersion, string toVersion, int stepCount, double elapsedMs);

    [LoggerMessage(EventId = MigrationEventIds.UpToDate, EventName = nameof(MigrationEventIds.UpToDate), Level = LogLevel.Information,
        Message = "{HistoryTable} is up to date at version {Version} ({ElapsedMs:0.0} ms)")]
    public static partial void UpToDate(this ILogger logger, string historyTable, string version, double elapsedMs);

    [LoggerMessage(EventId = MigrationEventIds.Forced, EventName = nameof(MigrationEventIds.Forced), Level = LogLevel.Warning,
        Message = "Forced {HistoryTable} to version {Version}: rows above it deleted, dirty flags cleared, no script run")]
    public static partial void Forced(this ILogger logger, string historyTable, string version);

    [LoggerMessage(EventId = MigrationEventIds.Baselined, EventName = nameof(MigrationEventIds.Baselined), Level = LogLevel.Information,
        Message = "Baselined {HistoryTable} at version {Version}: {Count} migration(s) recorded as applied without running")]
    public static partial void Baselined(this ILogger logger, string historyTable, long version, int count);

    [LoggerMessage(EventId = MigrationEventIds.Dropped, EventName = nameof(MigrationEventIds.Dropped), Level = LogLevel.Warning,
        Message = "Dropped every object of schema {Schema}, the history table {HistoryTable} included")]
    public static partial void Dropped(this ILogger logger, string schema, string historyTable);

    [LoggerMessage(EventId = MigrationEventIds.GolangMigrateAdopted, EventName = nameof(MigrationEventIds.GolangMigrateAdopted), Level = LogLevel.Warning,
        Message = "Adopted golang-migrate's history table {HistoryTable} at version {Version} (dirty: {Dirty}): {Count} migration(s) recorded as applied. The table now has MigrationKit's columns: do not run golang-migrate against this database any more")]
    public static partial void GolangMigrateAdopted(this ILogger logger, string historyTable, string version, bool dirty, int count);

    [LoggerMessage(EventId = MigrationEventIds.HistoryCreated, EventName = nameof(MigrationEventIds.HistoryCreated), Level = LogLevel.Information,
        Message = "Created the history table {HistoryTable}")]
    public static partial void HistoryCreated(this ILogger logger, string historyTable);

    [LoggerMessage(EventId = MigrationEventIds.ApplyingOutOfOrder, EventName = nameof(MigrationEventIds.ApplyingOutOfOrder), Level = LogLevel.Warning,
        Message = "Applying version {Version} out of order: version {NewestApplied} is already applied (OutOfOrder = Apply)")]
    public static partial void ApplyingOutOfOrder(this ILogger logger, long version, long newestApplied);

    [LoggerMessage(EventId = MigrationEventIds.ValidationWarning, EventName = nameof(MigrationEventIds.ValidationWarning), Level = LogLevel.Warning,
        Message = "{Problem}")]
    public static partial void ValidationWarning(this ILogger logger, string problem);

    [LoggerMessage(EventId = MigrationEventIds.ConnectionReplaced, EventName = nameof(MigrationEventIds.ConnectionReplaced), Level = LogLevel.Information,
        Message = "The server had closed the pooled connection for {HistoryTable} while it was idle (a restart, a failover or an idle timeout); opened a new one")]
    public static partial void ConnectionReplaced(this ILogger logger, string historyTable, Exception exception);

    [LoggerMessage(EventId = MigrationEventIds.WaitingForLock, EventName = nameof(MigrationEventIds.WaitingForLock), Level = LogLevel.Information,
        Message = "Another runner holds the migration lock of {HistoryTable} (key {LockKey}); waiting up to {Timeout}")]
    public static partial void WaitingForLock(this ILogger logger, string historyTable, long lockKey, TimeSpan timeout);

    [LoggerMessage(EventId = MigrationEventIds.LockAcquired, EventName = nameof(MigrationEventIds.LockAcquired), Level = LogLevel.Debug,
        Message = "Acquired the migration lock of {HistoryTable} (key {LockKey}) after {ElapsedMs:0.0} ms")]
    public static partial void LockAcquired(this ILogger logger, string historyTable, long lockKey, double elapsedMs);

    [LoggerMessage(EventId = MigrationEventIds.LockReleased, EventName = nameof(MigrationEventIds.LockReleased), Level = LogLevel.Debug,
        Message = "Released the migration lock of {HistoryTable} (key {LockKey})")]
    public static partial void LockReleased(this ILogger logger, string historyTable, long lockKey);

    [LoggerMessage(EventId = MigrationEventIds.LockTimedOut, EventName = nameof(MigrationEventIds.LockTimedOut), Level = LogLevel.Error,
        Message = "Timed out after {Timeout} waiting for the migration lock of {HistoryTable}; held by pid {HolderPid} ({HolderApplicationName})")]
    public static partial void LockTimedOut(this ILogger logger, TimeSpan timeout, string historyTable, int? holderPid, string? holderApplicationName);

    [LoggerMessage(EventId = MigrationEventIds.LockReleaseFailed, EventName = nameof(MigrationEventIds.LockReleaseFailed), Level = LogLevel.Warning,
        Message = "Could not release the {Lock} of {HistoryTable} ({Reason}); {Consequence}")]
    public static partial void LockReleaseFailed(this ILogger logger, string @lock, string historyTable, string reason, string consequence);

    [LoggerMessage(EventId = MigrationEventIds.LockModeChosen, EventName = nameof(MigrationEventIds.LockModeChosen), Level = LogLevel.Debug,
        Message = "{HistoryTable}: taking the {Lock} ({Reason})")]
    public static partial void LockModeChosen(this ILogger logger, string historyTable, string @lock, string reason);

    [LoggerMessage(EventId = MigrationEventIds.WaitingForLease, EventName = nameof(MigrationEventIds.WaitingForLease), Level = LogLevel.Information,
        Message = "Waiting up to {Timeout} for the migration lease of {HistoryTable}, held by {Holder}")]
    public static partial void WaitingForLease(this ILogger logger, string historyTable, TimeSpan timeout, string holder);

    [LoggerMessage(EventId = MigrationEventIds.LeaseTakenOver, EventName = nameof(MigrationEventIds.LeaseTakenOver), Level = LogLevel.Warning,
        Message = "Took over the expired migration lease of {HistoryTable} (its holder stopped renewing it: it died or lost the server)")]
    public static partial void LeaseTakenOver(this ILogger logger, string historyTable);

    [LoggerMessage(EventId = MigrationEventIds.LeaseRenewalFailed, EventName = nameof(MigrationEventIds.LeaseRenewalFailed), Level = LogLevel.Warning,
        Message = "Could not renew the migration lease of {HistoryTable} ({Reason}); trying again in {RetryMs:0} ms")]
    public static partial void LeaseRenewalFailed(this ILogger logger, string historyTable, string reason, double retryMs);

    [LoggerMessage(EventId = MigrationEventIds.LeaseLost, EventName = nameof(MigrationEventIds.LeaseLost), Level = LogLevel.Error,
        Message = "The migration lease of {HistoryTable} is no longer this runner's: it expired and another runner took it over. Nothing more is written; the next migration stops")]
    public static partial void LeaseLost(this ILogger logger, string historyTable);

    [LoggerMessage(EventId = MigrationEventIds.MigrationStarting, EventName = nameof(MigrationEventIds.MigrationStarting), Level = LogLevel.Information,
        Message = "Running {Direction} {Version} {Description} from {Origin}")]
    public static partial void MigrationStarting(this ILogger logger, MigrationDirection direction, long version, string description, string origin);

    [LoggerMessage(EventId = MigrationEventIds.MigrationApplied, EventName = nameof(MigrationEventIds.MigrationApplied), Level = LogLevel.Information,
        Message = "Ran {Direction} {Version} {Description} in {ElapsedMs:0.0} ms")]
    public static partial void MigrationApplied(this ILogger logger, MigrationDirection direction, long version, string description, double elapsedMs);

    // Debug, and without the exception: the runner throws MigrationFailedException, whose message says everything,
    // and the caller reports it once (the hosted service as event 5004, the command line on standard error).
    [LoggerMessage(EventId = MigrationEventIds.MigrationFailed, EventName = nameof(MigrationEventIds.MigrationFailed), Level = LogLevel.Debug,
        Message = "{Direction} {Version} {Description} failed at {Origin}:{Line}:{Column} (SQLSTATE {SqlState})")]
    public static partial void MigrationFailed(this ILogger logger, MigrationDirection direction, long version, string description, string origin, int? line, int? column, string? sqlState);

    [LoggerMessage(EventId = MigrationEventIds.RunningOutsideTransaction, EventName = nameof(MigrationEventIds.RunningOutsideTransaction), Level = LogLevel.Warning,
        Message = "{Origin} runs outside a transaction, statement by statement, under the dirty flag: {Reason}")]
    public static partial void RunningOutsideTransaction(this ILogger logger, string origin, string reason);

    [LoggerMessage(EventId = MigrationEventIds.DdlLockRetry, EventName = nameof(MigrationEventIds.DdlLockRetry), Level = LogLevel.Warning,
        Message = "{Origin}: a table lock was not granted within lock_timeout ({LockTimeout}); the migration was rolled back and runs again in {DelayMs:0} ms (retry {Attempt} of {MaxRetries})")]
    public static partial void DdlLockRetry(this ILogger logger, string origin, TimeSpan? lockTimeout, double delayMs, int attempt, int maxRetries);

    [LoggerMessage(EventId = MigrationEventIds.ScriptText, EventName = nameof(MigrationEventIds.ScriptText), Level = LogLevel.Trace,
        Message = "{Origin}:\n{Sql}")]
    public static partial void ScriptText(this ILogger logger, string origin, string sql);

    [LoggerMessage(EventId = MigrationEventIds.TransactionWrapperRemoved, EventName = nameof(MigrationEventIds.TransactionWrapperRemoved), Level = LogLevel.Debug,
        Message = "{Origin}: its leading BEGIN and trailing COMMIT are redundant; the body runs in the runner's transaction together with its history row")]
    public static partial void TransactionWrapperRemoved(this ILogger logger, string origin);

    [LoggerMessage(EventId = MigrationEventIds.Repaired, EventName = nameof(MigrationEventIds.Repaired), Level = LogLevel.Warning,
        Message = "Repaired {HistoryTable}: re-recorded the checksum of {Count} version(s) ({Versions}) from the source; nothing ran")]
    public static partial void Repaired(this ILogger logger, string historyTable, int count, string versions);

    [LoggerMessage(EventId = MigrationEventIds.LintFinding, EventName = nameof(MigrationEventIds.LintFinding), Level = LogLevel.Warning,
        Message = "{Finding}")]
    public static partial void LintFinding(this ILogger logger, string finding);

    [LoggerMessage(EventId = MigrationEventIds.SourceLoaded, EventName = nameof(MigrationEventIds.SourceLoaded), Level = LogLevel.Debug,
        Message = "Read {Count} migration(s) from {Source} in {ElapsedMs:0.0} ms")]
    public static partial void SourceLoaded(this ILogger logger, int count, string source, double elapsedMs);
}
