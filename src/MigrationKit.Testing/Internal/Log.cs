using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing.Internal;

/// <summary>Source-generated log messages of MigrationKit.Testing (event ids 6000-6099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, EventName = "PostgresServerChosen", Level = LogLevel.Information,
        Message = "Using the {Kind} PostgreSQL server ({Description}): {Reason}")]
    public static partial void ServerChosen(ILogger logger, PostgresServerKind kind, string description, string reason);

    [LoggerMessage(EventId = 6001, EventName = "PostgresServerKindSkipped", Level = LogLevel.Information,
        Message = "Not using the {Kind} PostgreSQL server: {Reason}")]
    public static partial void ServerKindSkipped(ILogger logger, PostgresServerKind kind, string reason);

    [LoggerMessage(EventId = 6002, EventName = "LocalClusterStarted", Level = LogLevel.Information,
        Message = "Started a private PostgreSQL cluster on 127.0.0.1:{Port} in {ElapsedMilliseconds} ms (data folder {DataDirectory}, running as {User}, {Origin})")]
    public static partial void LocalClusterStarted(ILogger logger, int port, long elapsedMilliseconds, string dataDirectory, string user, string origin);

    [LoggerMessage(EventId = 6003, EventName = "LocalClusterStopped", Level = LogLevel.Debug,
        Message = "Stopped the private PostgreSQL cluster on port {Port} and deleted {Directory} in {ElapsedMilliseconds} ms")]
    public static partial void LocalClusterStopped(ILogger logger, int port, string directory, long elapsedMilliseconds);

    [LoggerMessage(EventId = 6004, EventName = "LocalClusterPortTaken", Level = LogLevel.Debug,
        Message = "Port {Port} was taken before the private PostgreSQL cluster could listen on it; retrying with another port")]
    public static partial void LocalClusterPortTaken(ILogger logger, int port);

    [LoggerMessage(EventId = 6005, EventName = "StaleClusterRemoved", Level = LogLevel.Information,
        Message = "Removed the private PostgreSQL cluster folder {Directory} left behind by process {ProcessId}, which has exited")]
    public static partial void StaleClusterRemoved(ILogger logger, string directory, int processId);

    [LoggerMessage(EventId = 6006, EventName = "StaleClusterRemovalFailed", Level = LogLevel.Warning,
        Message = "Could not remove the stale private PostgreSQL cluster folder {Directory}")]
    public static partial void StaleClusterRemovalFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 6007, EventName = "ClusterTemplateCreated", Level = LogLevel.Debug,
        Message = "Created the cluster template {Directory} with initdb in {ElapsedMilliseconds} ms")]
    public static partial void ClusterTemplateCreated(ILogger logger, string directory, long elapsedMilliseconds);

    [LoggerMessage(EventId = 6008, EventName = "DockerProbed", Level = LogLevel.Debug,
        Message = "Docker engine probe in {ElapsedMilliseconds} ms: {Result}")]
    public static partial void DockerProbed(ILogger logger, long elapsedMilliseconds, string result);

    [LoggerMessage(EventId = 6009, EventName = "DatabaseCreated", Level = LogLevel.Debug,
        Message = "Created the throwaway database {Database}")]
    public static partial void DatabaseCreated(ILogger logger, string database);

    [LoggerMessage(EventId = 6010, EventName = "DatabaseDropped", Level = LogLevel.Debug,
        Message = "Dropped the throwaway database {Database}")]
    public static partial void DatabaseDropped(ILogger logger, string database);

    [LoggerMessage(EventId = 6011, EventName = "DatabaseDropFailed", Level = LogLevel.Warning,
        Message = "Could not drop the throwaway database {Database}")]
    public static partial void DatabaseDropFailed(ILogger logger, string database, Exception exception);

    [LoggerMessage(EventId = 6012, EventName = "ServerStopFailed", Level = LogLevel.Warning,
        Message = "Could not stop the {Kind} PostgreSQL server cleanly")]
    public static partial void ServerStopFailed(ILogger logger, PostgresServerKind kind, Exception exception);

    [LoggerMessage(EventId = 6013, EventName = "ContainerStarted", Level = LogLevel.Information,
        Message = "Started a PostgreSQL container from {Image} in {ElapsedMilliseconds} ms")]
    public static partial void ContainerStarted(ILogger logger, string image, long elapsedMilliseconds);

    [LoggerMessage(EventId = 6014, EventName = "ServerKindFailed", Level = LogLevel.Warning,
        Message = "Could not start the {Kind} PostgreSQL server; trying the next kind")]
    public static partial void ServerKindFailed(ILogger logger, PostgresServerKind kind, Exception exception);

    [LoggerMessage(EventId = 6015, EventName = "WatchdogStartFailed", Level = LogLevel.Warning,
        Message = "Could not start the watchdog that removes the private PostgreSQL cluster {Directory} if this process dies")]
    public static partial void WatchdogStartFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 6016, EventName = "TemplateBuilt", Level = LogLevel.Information,
        Message = "Built the template database {Template} ({Count} migration(s)) in {ElapsedMilliseconds} ms; throwaway databases are cloned from it")]
    public static partial void TemplateBuilt(ILogger logger, string template, int count, long elapsedMilliseconds);

    [LoggerMessage(EventId = 6017, EventName = "StaleDatabaseDropped", Level = LogLevel.Information,
        Message = "Dropped the database {Database} left behind by an earlier test run")]
    public static partial void StaleDatabaseDropped(ILogger logger, string database);

    [LoggerMessage(EventId = 6018, EventName = "SpareDatabaseCreated", Level = LogLevel.Debug,
        Message = "Cloned the spare database {Database} from {Template} ahead of the next call")]
    public static partial void SpareDatabaseCreated(ILogger logger, string database, string template);

    [LoggerMessage(EventId = 6019, EventName = "SpareDatabaseFailed", Level = LogLevel.Warning,
        Message = "Could not clone a spare database from {Template} in the background; the next call clones its own")]
    public static partial void SpareDatabaseFailed(ILogger logger, string template, Exception exception);

    [LoggerMessage(EventId = 6020, EventName = "DatabaseDropQueued", Level = LogLevel.Debug,
        Message = "Queued the throwaway database {Database} to be dropped in the background")]
    public static partial void DatabaseDropQueued(ILogger logger, string database);

    // 6030-6049: the test topology (PgBouncer, standbys, stopping and starting a server).
    [LoggerMessage(EventId = 6030, EventName = "PgBouncerStarted", Level = LogLevel.Information,
        Message = "Started PgBouncer ({PoolMode} pooling, {PoolSize} server connection(s) per pool) on 127.0.0.1:{Port} in front of {ServerHost}:{ServerPort} in {ElapsedMilliseconds} ms (folder {Directory}, running as {User})")]
    public static partial void PgBouncerStarted(
        ILogger logger, PgBouncerPoolMode poolMode, int poolSize, int port, string serverHost, int serverPort, long elapsedMilliseconds, string directory, string user);

    [LoggerMessage(EventId = 6031, EventName = "PgBouncerStopped", Level = LogLevel.Debug,
        Message = "Stopped PgBouncer on port {Port} and deleted {Directory}")]
    public static partial void PgBouncerStopped(ILogger logger, int port, string directory);

    [LoggerMessage(EventId = 6032, EventName = "PgBouncerPortTaken", Level = LogLevel.Debug,
        Message = "Port {Port} was taken before PgBouncer could listen on it; retrying with another port")]
    public static partial void PgBouncerPortTaken(ILogger logger, int port);

    [LoggerMessage(EventId = 6033, EventName = "StandbyStarted", Level = LogLevel.Information,
        Message = "Started a streaming standby of 127.0.0.1:{PrimaryPort} on 127.0.0.1:{Port} in {ElapsedMilliseconds} ms (replication slot {Slot})")]
    public static partial void StandbyStarted(ILogger logger, int primaryPort, int port, long elapsedMilliseconds, string slot);

    [LoggerMessage(EventId = 6034, EventName = "StandbyPromoted", Level = LogLevel.Information,
        Message = "Promoted the standby on 127.0.0.1:{Port} to a primary in {ElapsedMilliseconds} ms")]
    public static partial void StandbyPromoted(ILogger logger, int port, long elapsedMilliseconds);

    [LoggerMessage(EventId = 6035, EventName = "ReplicationSlotDropFailed", Level = LogLevel.Debug,
        Message = "Could not drop the replication slot {Slot} of a disposed standby on its primary; it goes with the primary")]
    public static partial void ReplicationSlotDropFailed(ILogger logger, string slot, Exception exception);

    [LoggerMessage(EventId = 6036, EventName = "LocalClusterServerStopped", Level = LogLevel.Information,
        Message = "Stopped the private PostgreSQL server on port {Port} ({Mode}); its data is kept")]
    public static partial void LocalClusterServerStopped(ILogger logger, int port, string mode);

    [LoggerMessage(EventId = 6037, EventName = "LocalClusterServerStarted", Level = LogLevel.Information,
        Message = "Started the private PostgreSQL server on port {Port} again in {ElapsedMilliseconds} ms")]
    public static partial void LocalClusterServerStarted(ILogger logger, int port, long elapsedMilliseconds);

    [LoggerMessage(EventId = 6038, EventName = "ClusterTemplateRemoved", Level = LogLevel.Information,
        Message = "Removed the cluster template {Directory}: {Reason}")]
    public static partial void ClusterTemplateRemoved(ILogger logger, string directory, string reason);

    // 6021-6029: verify.
    [LoggerMessage(EventId = 6021, EventName = "MigrationVerified", Level = LogLevel.Debug,
        Message = "Verified migration {Version} ({Description}): {Outcome}")]
    public static partial void MigrationVerified(ILogger logger, long version, string description, VerificationOutcome outcome);

    [LoggerMessage(EventId = 6022, EventName = "VerificationCompleted", Level = LogLevel.Information,
        Message = "Verified {Verified} of {Count} migration(s) up, down and up again on a throwaway database in {ElapsedMilliseconds} ms")]
    public static partial void VerificationCompleted(ILogger logger, int verified, int count, long elapsedMilliseconds);
}
