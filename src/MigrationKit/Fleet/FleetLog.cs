using Microsoft.Extensions.Logging;

namespace MigrationKit.Fleet;

/// <summary>
/// The log events of fleets, in the 7xxx range (append only; the event names are part of the contract). Targets are
/// named by <see cref="FleetTarget.ToString"/>, never with a password. Each target's own run logs its usual 1xxx-4xxx
/// events through the same logger factory.
/// </summary>
internal static partial class FleetLog
{
    [LoggerMessage(EventId = 7000, EventName = "FleetStarting", Level = LogLevel.Information,
        Message = "Fleet {Operation}: {Targets} target(s) on {Servers} server(s), {Parallelism} at a time, at most {MaxPerServer} per server, canary {Canary}, on error {OnError}")]
    public static partial void FleetStarting(this ILogger logger, string operation, int targets, int servers, int parallelism, int maxPerServer, int canary, FleetErrorPolicy onError);

    [LoggerMessage(EventId = 7001, EventName = "FleetCompleted", Level = LogLevel.Information,
        Message = "Fleet {Operation} done in {ElapsedMs:0} ms: {Applied} applied, {UpToDate} up to date, {DoneByAnother} done by another process, {Failed} failed, {Skipped} skipped, {Cancelled} cancelled")]
    public static partial void FleetCompleted(this ILogger logger, string operation, double elapsedMs, int applied, int upToDate, int doneByAnother, int failed, int skipped, int cancelled);

    [LoggerMessage(EventId = 7002, EventName = "FleetTargetStarting", Level = LogLevel.Debug,
        Message = "Starting {Target} (attempt {Attempt})")]
    public static partial void TargetStarting(this ILogger logger, string target, int attempt);

    [LoggerMessage(EventId = 7003, EventName = "FleetTargetCompleted", Level = LogLevel.Information,
        Message = "{Target}: {Outcome}, version {FromVersion} to {ToVersion}, {MigrationsApplied} migration(s) applied in {ElapsedMs:0} ms")]
    public static partial void TargetCompleted(this ILogger logger, string target, string outcome, string fromVersion, string toVersion, int migrationsApplied, double elapsedMs);

    [LoggerMessage(EventId = 7004, EventName = "FleetTargetFailed", Level = LogLevel.Error,
        Message = "{Target} failed: {Message}")]
    public static partial void TargetFailed(this ILogger logger, string target, string message);

    [LoggerMessage(EventId = 7005, EventName = "FleetTargetBusy", Level = LogLevel.Information,
        Message = "{Target}: another process holds its migration lock; it is tried again once every other target has been")]
    public static partial void TargetBusy(this ILogger logger, string target);

    [LoggerMessage(EventId = 7006, EventName = "FleetStopping", Level = LogLevel.Warning,
        Message = "{Target} failed, so no new target starts (on error stop); the targets running finish")]
    public static partial void Stopping(this ILogger logger, string target);

    [LoggerMessage(EventId = 7007, EventName = "FleetCanaryFailed", Level = LogLevel.Error,
        Message = "The canary failed ({Failed} of its {Canary} target(s)); none of the other {Remaining} target(s) runs")]
    public static partial void CanaryFailed(this ILogger logger, int failed, int canary, int remaining);

    [LoggerMessage(EventId = 7008, EventName = "FleetCancelled", Level = LogLevel.Warning,
        Message = "The fleet was cancelled: {Cancelled} running target(s) rolled back and released, {NotStarted} not started")]
    public static partial void Cancelled(this ILogger logger, int cancelled, int notStarted);

    [LoggerMessage(EventId = 7009, EventName = "FleetStatusRead", Level = LogLevel.Information,
        Message = "Fleet status of {Targets} target(s) read in {ElapsedMs:0} ms: {UpToDate} up to date, {Behind} behind, {Dirty} dirty, {Unreachable} unreachable")]
    public static partial void StatusRead(this ILogger logger, int targets, double elapsedMs, int upToDate, int behind, int dirty, int unreachable);
}
