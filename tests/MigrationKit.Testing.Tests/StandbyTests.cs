using System.Diagnostics;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>Streaming standbys of a private cluster, promotion, stopping and starting a primary, and multi-host connection strings.</summary>
[TestFixture]
[NonParallelizable]
public sealed class StandbyTests
{
    private PostgresServer primary = null!;
    private PostgresStandby standby = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        primary = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());
        var stopwatch = Stopwatch.StartNew();
        standby = await PostgresStandby.StartAsync(primary);
        TestContext.Out.WriteLine($"standby started in {stopwatch.ElapsedMilliseconds} ms");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (standby is not null)
        {
            await standby.DisposeAsync();
        }

        if (primary is not null)
        {
            await primary.DisposeAsync();
        }
    }

    [Test]
    public async Task A_standby_is_in_recovery_streams_from_its_slot_and_shows_a_write_made_on_the_primary()
    {
        await using var database = await primary.CreateEmptyDatabaseAsync();
        await ExecuteAsync(database.ConnectionString, "CREATE TABLE written (id int); INSERT INTO written VALUES (7)");

        await standby.CatchUpAsync();

        var onStandby = standby.GetConnectionString(database.Name);
        (await TestSupport.ScalarAsync<bool>(onStandby, "SELECT pg_is_in_recovery()")).Should().BeTrue();
        (await TestSupport.ScalarAsync<int>(onStandby, "SELECT id FROM written")).Should().Be(7);
        (await TestSupport.ScalarAsync<string>(
            primary.ConnectionString,
            $"SELECT state FROM pg_stat_replication WHERE application_name = '{standby.SlotName}'")).Should().Be("streaming");
        (await TestSupport.ScalarAsync<bool>(
            primary.ConnectionString,
            $"SELECT active FROM pg_replication_slots WHERE slot_name = '{standby.SlotName}'")).Should().BeTrue();
        standby.Port.Should().NotBe(new NpgsqlConnectionStringBuilder(primary.ConnectionString).Port);
    }

    [Test]
    public async Task A_standby_refuses_writes_with_SQLSTATE_25006()
    {
        await using var database = await primary.CreateEmptyDatabaseAsync();
        await standby.CatchUpAsync();

        var write = () => ExecuteAsync(standby.GetConnectionString(database.Name), "CREATE TABLE refused (id int)");

        (await write.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.ReadOnlySqlTransaction);
    }

    [Test]
    public async Task Promote_makes_a_standby_a_writable_primary()
    {
        await using var database = await primary.CreateEmptyDatabaseAsync();
        await using var promoted = await PostgresStandby.StartAsync(primary);

        var stopwatch = Stopwatch.StartNew();
        await promoted.PromoteAsync();
        TestContext.Out.WriteLine($"promoted in {stopwatch.ElapsedMilliseconds} ms");

        promoted.IsPromoted.Should().BeTrue();
        var onPromoted = promoted.GetConnectionString(database.Name);
        (await TestSupport.ScalarAsync<bool>(onPromoted, "SELECT pg_is_in_recovery()")).Should().BeFalse();
        await ExecuteAsync(onPromoted, "CREATE TABLE after_promotion (id int); INSERT INTO after_promotion VALUES (1)");
        (await TestSupport.ScalarAsync<long>(onPromoted, "SELECT count(*) FROM after_promotion")).Should().Be(1);
        (await TestSupport.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_class WHERE relname = 'after_promotion'"))
            .Should().Be(0, "the promoted standby has left the primary's timeline");
    }

    [Test]
    public async Task A_multi_host_connection_string_with_the_standby_listed_first_connects_to_the_primary()
    {
        await using var database = await primary.CreateEmptyDatabaseAsync();
        await standby.CatchUpAsync();
        string[] members = [standby.GetConnectionString(database.Name), primary.GetConnectionString(database.Name)];

        var toPrimary = MultiHostConnectionString.Build(members);
        var toStandby = MultiHostConnectionString.Build(members, "standby");

        new NpgsqlConnectionStringBuilder(toPrimary).Host.Should().Be($"127.0.0.1:{standby.Port},127.0.0.1:{PortOf(primary)}");
        (await ServerPortAndRecoveryAsync(toPrimary)).Should().Be((PortOf(primary), false));
        (await ServerPortAndRecoveryAsync(toStandby)).Should().Be((standby.Port, true));
    }

    [Test]
    public async Task Stopping_the_primary_and_promoting_the_standby_moves_the_multi_host_target_to_the_standby()
    {
        await using var ownPrimary = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());
        await using var database = await ownPrimary.CreateEmptyDatabaseAsync();
        await ExecuteAsync(database.ConnectionString, "CREATE TABLE before_failover (id int); INSERT INTO before_failover VALUES (1)");
        await using var ownStandby = await PostgresStandby.StartAsync(ownPrimary);
        var multiHost = MultiHostConnectionString.Build(
            [ownStandby.GetConnectionString(database.Name), ownPrimary.GetConnectionString(database.Name)], hostRecheckSeconds: 0);
        (await ServerPortAndRecoveryAsync(multiHost)).Should().Be((PortOf(ownPrimary), false));

        var stopwatch = Stopwatch.StartNew();
        await ownPrimary.StopServerAsync("immediate");
        await ownStandby.PromoteAsync();
        TestContext.Out.WriteLine($"failed over in {stopwatch.ElapsedMilliseconds} ms");

        stopwatch.Restart();
        var after = await EventuallyConnectsAsync(multiHost, TimeSpan.FromSeconds(15));
        TestContext.Out.WriteLine($"the multi-host string reached the promoted standby after {stopwatch.ElapsedMilliseconds} ms");
        after.Should().Be((ownStandby.Port, false));
        await ExecuteAsync(multiHost, "INSERT INTO before_failover VALUES (2)");
        (await TestSupport.ScalarAsync<long>(ownStandby.GetConnectionString(database.Name), "SELECT count(*) FROM before_failover")).Should().Be(2);
    }

    [TestCase("fast")]
    [TestCase("immediate")]
    public async Task A_stopped_primary_refuses_connections_and_starts_again_on_its_port_with_its_data_and_its_standby_streaming(string mode)
    {
        // With synchronous_commit on, as in production: an immediate stop is a crash, and keeps what was committed.
        var options = TestSupport.LocalClusterOptions();
        options.SynchronousCommit = true;
        await using var ownPrimary = await PostgresServer.StartAsync(options);
        await using var database = await ownPrimary.CreateEmptyDatabaseAsync();
        await using var ownStandby = await PostgresStandby.StartAsync(ownPrimary);
        await ExecuteAsync(database.ConnectionString, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)");
        var direct = ownPrimary.GetConnectionString(database.Name);

        await ownPrimary.StopServerAsync(mode);

        ownPrimary.Cluster!.IsRunning.Should().BeFalse();
        var refused = () => TestSupport.ScalarAsync<int>(new NpgsqlConnectionStringBuilder(direct) { Pooling = false }.ConnectionString, "SELECT 1");
        await refused.Should().ThrowAsync<NpgsqlException>();

        var stopwatch = Stopwatch.StartNew();
        await ownPrimary.StartServerAsync();
        TestContext.Out.WriteLine($"{mode} stop, then started again in {stopwatch.ElapsedMilliseconds} ms");

        NpgsqlConnection.ClearPool(new NpgsqlConnection(direct));
        (await TestSupport.ScalarAsync<long>(direct, "SELECT count(*) FROM kept")).Should().Be(1);
        new NpgsqlConnectionStringBuilder(ownPrimary.ConnectionString).Port.Should().Be(ownPrimary.Cluster.Port);
        await ExecuteAsync(direct, "INSERT INTO kept VALUES (2)");
        await ownStandby.WaitForStreamingAsync();
        await ownStandby.CatchUpAsync();
        (await TestSupport.ScalarAsync<long>(ownStandby.GetConnectionString(database.Name), "SELECT count(*) FROM kept")).Should().Be(2);
    }

    [Test]
    public async Task A_pgbouncer_in_front_of_a_standby_reaches_a_server_in_recovery()
    {
        if (await PgBouncer.WhyUnavailableAsync() is { } whyNot)
        {
            Assert.Ignore(whyNot);
        }

        await using var database = await primary.CreateEmptyDatabaseAsync();
        await standby.CatchUpAsync();
        await using var pooler = await PgBouncer.StartAsync(standby.ConnectionString, new PgBouncerSettings());

        var through = pooler.GetConnectionString(database.Name, pooling: false);

        (await ServerPortAndRecoveryAsync(through)).Should().Be((standby.Port, true));
        var write = () => ExecuteAsync(through, "CREATE TABLE refused (id int)");
        (await write.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.ReadOnlySqlTransaction);
    }

    [Test]
    public async Task An_external_server_cannot_have_a_standby_and_says_why()
    {
        await using var external = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = primary.ConnectionString });

        var whyNot = PostgresStandby.WhyUnavailable(external);
        var start = () => PostgresStandby.StartAsync(external);

        PostgresStandby.WhyUnavailable(primary).Should().BeNull();
        whyNot.Should().Contain("this server is External");
        (await start.Should().ThrowAsync<NotSupportedException>()).Which.Message.Should().Contain(whyNot);
    }

    [Test]
    public async Task Dispose_stops_the_standby_deletes_its_folder_and_drops_its_slot()
    {
        var disposable = await PostgresStandby.StartAsync(primary);
        var folder = disposable.Cluster.Folder;
        var postmaster = TestSupport.PostmasterPid(disposable.Cluster.DataDirectory);
        var slot = disposable.SlotName;

        await disposable.DisposeAsync();

        ProcessLiveness.IsRunning(postmaster).Should().BeFalse();
        Directory.Exists(folder).Should().BeFalse();
        (await TestSupport.ScalarAsync<long>(primary.ConnectionString, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}'"))
            .Should().Be(0);
        await disposable.DisposeAsync(); // a second dispose does nothing
    }

    private static int PortOf(PostgresServer server) => new NpgsqlConnectionStringBuilder(server.ConnectionString).Port;

    private static async Task<(int Port, bool InRecovery)> ServerPortAndRecoveryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT inet_server_port(), pg_is_in_recovery()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetBoolean(1));
    }

    /// <summary>Connects until it works (Npgsql learns of the failover on its own schedule) or the deadline passes.</summary>
    private static async Task<(int Port, bool InRecovery)> EventuallyConnectsAsync(string connectionString, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await ServerPortAndRecoveryAsync(connectionString);
            }
            catch (NpgsqlException) when (stopwatch.Elapsed < timeout)
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
