namespace Planner;

/// <summary>The sample's own log events.</summary>
internal static partial class PlannerLog
{
    [LoggerMessage(EventId = 1, EventName = "StartingDevelopmentDatabase", Level = LogLevel.Warning,
        Message = "No connection string is configured (ConnectionStrings:Planner, environment variable ConnectionStrings__Planner). " +
        "Starting a PRIVATE, THROWAWAY PostgreSQL from the local server binaries: FOR DEVELOPMENT ONLY. Everything in it is deleted when the app stops")]
    public static partial void StartingDevelopmentDatabase(ILogger logger);

    [LoggerMessage(EventId = 2, EventName = "DevelopmentDatabaseStarted", Level = LogLevel.Warning,
        Message = "DEVELOPMENT database: {Database} on {Host}:{Port} as {User}, deleted when the app stops")]
    public static partial void DevelopmentDatabaseStarted(ILogger logger, string host, int port, string database, string user);

    [LoggerMessage(EventId = 3, EventName = "DevelopmentDatabaseDeleted", Level = LogLevel.Information,
        Message = "The development database was stopped and deleted")]
    public static partial void DevelopmentDatabaseDeleted(ILogger logger);

    [LoggerMessage(EventId = 4, EventName = "StoppedDuringStartup", Level = LogLevel.Information,
        Message = "Stopped during start-up, before the app served anything")]
    public static partial void StoppedDuringStartup(ILogger logger);

    [LoggerMessage(EventId = 6, EventName = "NoConnectionString", Level = LogLevel.Critical,
        Message = "No connection string is configured: set ConnectionStrings:Planner (environment variable ConnectionStrings__Planner). " +
        "The private throwaway PostgreSQL is started in Development only, and the environment is {Environment} (ASPNETCORE_ENVIRONMENT)")]
    public static partial void NoConnectionString(ILogger logger, string environment);

    [LoggerMessage(EventId = 7, EventName = "StatusUnreadable", Level = LogLevel.Warning,
        Message = "The migration status could not be read for the status table: {Reason}")]
    public static partial void StatusUnreadable(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, EventName = "StartupFailed", Level = LogLevel.Critical,
        Message = "The Planner could not start: {Reason}")]
    public static partial void StartupFailed(ILogger logger, string reason, Exception? exception);
}
