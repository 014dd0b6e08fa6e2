using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>
/// StartupConnectRetry: a database that is not reachable yet is waited for; SQL errors and permanent connection
/// errors are not. "The database comes up later" is a loopback port where nothing listens until the test starts a
/// forwarder there to the real server.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class ConnectRetryTests
{
    private const int DatabaseUnavailable = MigrationEventIds.StartupDatabaseUnavailable;
    private const int MigrationFailed = MigrationEventIds.StartupMigrationFailed;

    [Test]
    public async Task A_database_that_comes_up_after_the_host_started_is_waited_for_and_migrated()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var target = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var forwarder = new TcpForwarder(target.Host!, target.Port);
        using IHost host = Build(Through(db, forwarder.Port), TimeSpan.FromSeconds(20), MigrationFolder.PlannerMigrations);

        Task start = host.StartAsync();
        // The database "comes up" once the host has found it unreachable four times: after waits of 0.25, 0.5 and
        // 1 s, during the fourth (2 s), about 3 s after the start.
        await host.WaitForEventsAsync(DatabaseUnavailable, 4, TimeSpan.FromSeconds(30));
        forwarder.Start();
        await start;

        host.Events(DatabaseUnavailable).Should().HaveCountGreaterThanOrEqualTo(4);
        host.Events(DatabaseUnavailable)[0].Message.Should().Contain("connection refused").And.Contain("retrying in");
        host.Events(MigrationEventIds.StartupMigrated).Should().ContainSingle();
        forwarder.Connections.Should().BePositive();
        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10);
        await host.StopAsync();
    }

    [Test]
    public async Task A_syntax_error_fails_at_once_without_retrying()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var folder = new MigrationFolder()
            .Up(1, "create_table", "CREATE TABLE t (id int);")
            .Up(2, "broken", "-- a typo\nCREATE TABLE u (id int);\nCREAT TABLE v (id int);\n");
        using IHost host = Build(db.ConnectionString, TimeSpan.FromSeconds(20), folder.Path);

        Func<Task> start = () => host.StartAsync();

        MigrationFailedException failure = (await start.Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.Line.Should().Be(3);
        host.Events(DatabaseUnavailable).Should().BeEmpty("SQL errors are never retried");
        host.Events(MigrationFailed).Should().ContainSingle().Which.Message.Should().Contain("002_broken.up.sql:3:1").And.Contain("42601");
        host.Logs().GetSnapshot().Where(r => r.Level >= LogLevel.Error && r.Category!.StartsWith("MigrationKit", StringComparison.Ordinal))
            .Should().ContainSingle("the failure is reported in one clear line, not once by the runner and again by the host")
            .Which.Exception.Should().BeNull("the message says what failed and where; a stack trace adds nothing");
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(1);
    }

    [Test]
    public async Task A_database_that_does_not_exist_fails_at_once_without_retrying()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string missing = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = db.Name + "_missing" }.ConnectionString;
        using IHost host = Build(missing, TimeSpan.FromSeconds(20), MigrationFolder.PlannerMigrations);

        Func<Task> start = () => host.StartAsync();

        MigrationConnectionException failure = (await start.Should().ThrowAsync<MigrationConnectionException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("does not exist");
        host.Events(DatabaseUnavailable).Should().BeEmpty();
        host.Events(MigrationFailed).Should().ContainSingle();
    }

    [Test]
    public async Task When_the_database_stays_unreachable_start_up_fails_after_the_retry_window_naming_it()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await using var forwarder = new TcpForwarder("127.0.0.1", 1);
        using IHost host = Build(Through(db, forwarder.Port), TimeSpan.FromSeconds(1), MigrationFolder.PlannerMigrations);

        Func<Task> start = () => host.StartAsync();

        MigrationConnectionException failure = (await start.Should().ThrowAsync<MigrationConnectionException>()).Which;
        failure.IsTransient.Should().BeTrue();
        host.Events(DatabaseUnavailable).Should().NotBeEmpty();
        host.Events(MigrationFailed).Should().ContainSingle().Which.Message.Should()
            .Contain("connection refused").And.Contain("Gave up after").And.Contain("StartupConnectRetry = 00:00:01");
    }

    [Test]
    public async Task With_no_retry_window_an_unreachable_database_fails_at_once()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await using var forwarder = new TcpForwarder("127.0.0.1", 1);
        using IHost host = Build(Through(db, forwarder.Port), TimeSpan.Zero, MigrationFolder.PlannerMigrations);

        Func<Task> start = () => host.StartAsync();

        await start.Should().ThrowAsync<MigrationConnectionException>();
        host.Events(DatabaseUnavailable).Should().BeEmpty();
    }

    [Test]
    public async Task Stopping_the_host_while_it_waits_for_the_database_cancels_the_start_cleanly()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await using var forwarder = new TcpForwarder("127.0.0.1", 1);
        using IHost host = Build(Through(db, forwarder.Port), TimeSpan.FromMinutes(5), MigrationFolder.PlannerMigrations);

        Task start = host.StartAsync();
        await host.WaitForEventAsync(DatabaseUnavailable, TimeSpan.FromSeconds(15));
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await start.Invoking(async s => await s).Should().ThrowAsync<OperationCanceledException>();
        host.Events(MigrationFailed).Should().BeEmpty("a shutdown is not a failure");
        host.Events(MigrationEventIds.StartupMigrationCanceled).Should().ContainSingle();
    }

    [Test]
    public async Task Stopping_the_host_while_a_migration_runs_rolls_it_back_and_releases_the_lock()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var folder = new MigrationFolder()
            .Up(1, "create_table", "CREATE TABLE t (id int);")
            .Up(2, "slow", "CREATE TABLE u (id int);\nSELECT pg_advisory_xact_lock(4242);\n");
        await using var blocker = new NpgsqlConnection(db.ConnectionString);
        await blocker.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(4242)", blocker))
        {
            await take.ExecuteNonQueryAsync();
        }

        using IHost host = Build(db.ConnectionString, TimeSpan.Zero, folder.Path);
        Task start = host.StartAsync();
        await Eventually.HoldsAsync(
            async () => await Db.ScalarAsync<long>(
                db.ConnectionString, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted") > 0,
            TimeSpan.FromSeconds(30),
            "the start-up run waits for the lock");
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await start.Invoking(async s => await s).Should().ThrowAsync<OperationCanceledException>();
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(1);
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("u", "migration 2 was rolled back");
        (await Db.ScalarAsync<long>(db.ConnectionString,
            """
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND a.application_name = 'MigrationKit'
            """))
            .Should().Be(0, "the migration lock is released");
    }

    private static IHost Build(string connectionString, TimeSpan retry, string folder)
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o =>
        {
            o.ConnectionString = connectionString;
            o.StartupConnectRetry = retry;
        }).FromDirectory(folder);
        return builder.Build();
    }

    /// <summary>The database's connection string, through the forwarder's loopback port (no pool: every try is a real connect).</summary>
    private static string Through(ThrowawayDatabase db, int port) =>
        new NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = port, Pooling = false }.ConnectionString;
}
