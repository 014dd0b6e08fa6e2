using Microsoft.Extensions.Logging;

namespace MigrationKit.Hosting;

/// <summary>Start-up log events, 5xxx. Append only; the names are part of the contract.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = MigrationEventIds.StartupMigrating, EventName = nameof(MigrationEventIds.StartupMigrating), Level = LogLevel.Information,
        Message = "Migrating the database before the application starts")]
    public static partial void StartupMigrating(this ILogger logger);

    [LoggerMessage(EventId = MigrationEventIds.StartupMigrated, EventName = nameof(MigrationEventIds.StartupMigrated), Level = LogLevel.Information,
        Message = "The database is at version {Version} ({Count} migration(s) run at start-up, {ElapsedMs:0} ms)")]
    public static partial void StartupMigrated(this ILogger logger, string version, int count, double elapsedMs);

    [LoggerMessage(EventId = MigrationEventIds.StartupMigrationDisabled, EventName = nameof(MigrationEventIds.StartupMigrationDisabled), Level = LogLevel.Information,
        Message = "MigrateOnStartup is false: the database is not migrated at start-up")]
    public static partial void StartupMigrationDisabled(this ILogger logger);

    [LoggerMessage(EventId = MigrationEventIds.StartupDatabaseUnavailable, EventName = nameof(MigrationEventIds.StartupDatabaseUnavailable), Level = LogLevel.Warning,
        Message = "The database is not reachable yet ({Reason}); retrying in {DelayMs:0} ms, for up to {Remaining} more")]
    public static partial void StartupDatabaseUnavailable(this ILogger logger, string reason, double delayMs, TimeSpan remaining);

    [LoggerMessage(EventId = MigrationEventIds.StartupMigrationFailed, EventName = nameof(MigrationEventIds.StartupMigrationFailed), Level = LogLevel.Critical,
        Message = "Database migration failed at start-up; the application will not start. {Reason}")]
    public static partial void StartupMigrationFailed(this ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = MigrationEventIds.StartupMigrationCanceled, EventName = nameof(MigrationEventIds.StartupMigrationCanceled), Level = LogLevel.Warning,
        Message = "The host is stopping: the start-up migration was canceled before it finished")]
    public static partial void StartupMigrationCanceled(this ILogger logger);
}
