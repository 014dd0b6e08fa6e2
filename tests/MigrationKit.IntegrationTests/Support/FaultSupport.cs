using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Support;

/// <summary>Waits and looks used by the fault tests.</summary>
public static class FaultSupport
{
    /// <summary>A runner over a folder whose runner and store both log to <paramref name="logger"/>.</summary>
    public static MigrationRunner Runner(string connectionString, string folder, RecordingLogger logger, Action<MigrationOptions>? configure = null)
    {
        var options = new MigrationOptions { ConnectionString = connectionString, LockTimeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return new MigrationRunner(new FileSystemMigrationSource(folder), new PostgresMigrationStore(options, logger), options, logger);
    }

    /// <summary>A connection string whose sessions can be found by their application_name.</summary>
    public static string Tagged(string connectionString, string applicationName) =>
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString;

    /// <summary>Sessions of the server with this application_name (any database).</summary>
    public static Task<long> SessionsAsync(string applicationName) =>
        Db.ScalarAsync<long>(TestServer.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", applicationName);

    /// <summary>Waits until the server has noticed that every session of <paramref name="applicationName"/> is gone (rolled back, locks released).</summary>
    public static Task WaitForSessionsToEndAsync(string applicationName) =>
        Eventually.ReturnsAsync(() => SessionsAsync(applicationName), n => n == 0, TimeSpan.FromSeconds(30), $"the sessions of {applicationName} end");

    /// <summary>The pid of the one session with this application_name, once it is in the state wanted (e.g. <c>active</c> with a query like …).</summary>
    public static async Task<int> SessionPidAsync(string applicationName, string queryLike = "%", string state = "%", string waitEvent = "%", int timeoutSeconds = 30)
    {
        int? pid = await Eventually.ReturnsAsync(
            () => Db.ScalarOrNullAsync<int>(
                TestServer.ConnectionString,
                "SELECT max(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2 AND coalesce(state, '') LIKE $3 AND coalesce(wait_event, '') LIKE $4",
                applicationName,
                queryLike,
                state,
                waitEvent),
            pid => pid is not null,
            TimeSpan.FromSeconds(timeoutSeconds),
            $"a session of {applicationName} running '{queryLike}' in state '{state}', waiting for '{waitEvent}'");
        return pid!.Value;
    }

    /// <summary>Ends a session the way an administrator or a failover does: SQLSTATE 57P01 to the client, then the socket closes.</summary>
    public static Task TerminateAsync(int pid) =>
        Db.ScalarAsync<bool>(TestServer.ConnectionString, "SELECT pg_terminate_backend($1)", pid);

    /// <summary>Advisory locks held in the database.</summary>
    public static Task<long> AdvisoryLocksAsync(ThrowawayDatabase db) =>
        Db.ScalarAsync<long>(
            db.ConnectionString,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");

    /// <summary>The last engine event a child printed (with --events), to tell where a fault landed.</summary>
    public static string LastEvent(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("event ", StringComparison.Ordinal)) ?? "(no event yet)";
}
