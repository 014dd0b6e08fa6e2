using System.Diagnostics;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>The real PgBouncer of the test topology, in front of a private cluster.</summary>
[TestFixture]
[NonParallelizable]
public sealed class PgBouncerTests
{
    private PostgresServer server = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        if (await PgBouncer.WhyUnavailableAsync() is { } whyNot)
        {
            Assert.Ignore(whyNot);
        }

        server = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [Test]
    public async Task Through_transaction_pooling_a_session_setting_of_one_client_is_seen_by_another_client_on_the_same_server_connection()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var pooler = await PgBouncer.StartAsync(server, new PgBouncerSettings { PoolMode = PgBouncerPoolMode.Transaction, DefaultPoolSize = 1 });
        TestContext.Out.WriteLine($"PgBouncer started in {stopwatch.ElapsedMilliseconds} ms");
        await using var database = await server.CreateEmptyDatabaseAsync();
        var through = pooler.GetConnectionString(database.Name, pooling: false);

        await using var first = new NpgsqlConnection(through);
        await first.OpenAsync();
        await ExecuteAsync(first, "SET statement_timeout = '1234ms'");
        var firstBackend = await ScalarAsync<int>(first, "SELECT pg_backend_pid()");

        // The first client is still connected: a session pooler would keep the only server connection for it.
        await using var second = new NpgsqlConnection(through);
        await second.OpenAsync();
        (await ScalarAsync<string>(second, "SHOW statement_timeout")).Should().Be("1234ms");
        (await ScalarAsync<int>(second, "SELECT pg_backend_pid()")).Should().Be(firstBackend);
        (await pooler.ServerProcessIdsAsync(database.Name)).Should().Equal(firstBackend);
        (await TestSupport.ScalarAsync<string>(server.GetConnectionString(database.Name), "SHOW statement_timeout")).Should().Be("0", "a direct connection has the server default");
    }

    [Test]
    public async Task Through_transaction_pooling_one_client_runs_consecutive_transactions_on_different_server_connections()
    {
        await using var pooler = await PgBouncer.StartAsync(server, new PgBouncerSettings { PoolMode = PgBouncerPoolMode.Transaction, DefaultPoolSize = 2 });
        await using var database = await server.CreateEmptyDatabaseAsync();
        var through = pooler.GetConnectionString(database.Name, pooling: false);
        await using var a = await OpenAsync(through);
        await using var b = await OpenAsync(through);
        await using var c = await OpenAsync(through);

        // Two server connections: whoever is outside a transaction gets the one nobody holds.
        await using var aFirst = await a.BeginTransactionAsync();
        var p1 = await ScalarAsync<int>(a, "SELECT pg_backend_pid()");
        await using var bTransaction = await b.BeginTransactionAsync();
        var p2 = await ScalarAsync<int>(b, "SELECT pg_backend_pid()");
        await aFirst.CommitAsync();
        await using var cTransaction = await c.BeginTransactionAsync();
        (await ScalarAsync<int>(c, "SELECT pg_backend_pid()")).Should().Be(p1, "p1 is the only free server connection");
        await bTransaction.CommitAsync();
        var aSecond = await ScalarAsync<int>(a, "SELECT pg_backend_pid()");
        await cTransaction.CommitAsync();

        p2.Should().NotBe(p1);
        aSecond.Should().Be(p2, "the client's second transaction runs on the server connection its first did not");
        (await pooler.ServerProcessIdsAsync(database.Name)).Should().BeEquivalentTo([p1, p2]);
    }

    [Test]
    public async Task Through_transaction_pooling_an_advisory_lock_outlives_the_client_that_took_it()
    {
        await using var pooler = await PgBouncer.StartAsync(server, new PgBouncerSettings { DefaultPoolSize = 2 });
        await using var database = await server.CreateEmptyDatabaseAsync();
        var through = pooler.GetConnectionString(database.Name, pooling: false);

        await using (var client = await OpenAsync(through))
        {
            await ExecuteAsync(client, "SELECT pg_advisory_lock(4242)");
        }

        var holders = await TestSupport.ScalarAsync<int[]>(
            server.GetConnectionString(database.Name),
            "SELECT coalesce(array_agg(pid), '{}') FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted");
        holders.Should().ContainSingle();
        (await pooler.ServerProcessIdsAsync(database.Name)).Should().Contain(holders[0], "the lock stays on PgBouncer's idle server connection");
    }

    [Test]
    public async Task Session_pooling_keeps_a_client_on_one_server_connection_and_resets_it_for_the_next_client()
    {
        await using var pooler = await PgBouncer.StartAsync(server, new PgBouncerSettings { PoolMode = PgBouncerPoolMode.Session, DefaultPoolSize = 2 });
        await using var database = await server.CreateEmptyDatabaseAsync();
        var through = pooler.GetConnectionString(database.Name, pooling: false);

        int firstBackend;
        await using (var first = await OpenAsync(through))
        {
            await ExecuteAsync(first, "SET statement_timeout = '1234ms'");
            firstBackend = await ScalarAsync<int>(first, "SELECT pg_backend_pid()");
            await using (var meanwhile = await OpenAsync(through))
            {
                (await ScalarAsync<int>(meanwhile, "SELECT pg_backend_pid()")).Should().NotBe(firstBackend);
                (await ScalarAsync<string>(meanwhile, "SHOW statement_timeout")).Should().Be("0");
            }

            for (var i = 0; i < 3; i++)
            {
                await using var transaction = await first.BeginTransactionAsync();
                (await ScalarAsync<int>(first, "SELECT pg_backend_pid()")).Should().Be(firstBackend);
                (await ScalarAsync<string>(first, "SHOW statement_timeout")).Should().Be("1234ms");
                await transaction.CommitAsync();
            }
        }

        // PgBouncer runs server_reset_query (DISCARD ALL) when a session ends: two clients at once get both server
        // connections, the first client's among them, and find the default on each.
        await using var next = await OpenAsync(through);
        await using var other = await OpenAsync(through);
        (await ScalarAsync<string>(next, "SHOW statement_timeout")).Should().Be("0");
        (await ScalarAsync<string>(other, "SHOW statement_timeout")).Should().Be("0");
        int[] backends = [await ScalarAsync<int>(next, "SELECT pg_backend_pid()"), await ScalarAsync<int>(other, "SELECT pg_backend_pid()")];
        backends.Should().Contain(firstBackend);
        (await pooler.ShowAsync("CONFIG")).Should().Contain(row => row["key"] == "pool_mode" && row["value"] == "session");
    }

    [Test]
    public async Task The_pooler_lets_in_whom_the_server_lets_in_trusting_who_it_trusts_and_checking_scram_passwords()
    {
        const string role = "mk_bouncer_password_user";
        var hbaFile = await TestSupport.ScalarAsync<string>(server.ConnectionString, "SHOW hba_file");
        await ExecuteAsync(server.ConnectionString, $"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD 'right-password'");
        var rules = await File.ReadAllTextAsync(hbaFile);
        await File.WriteAllTextAsync(hbaFile, $"host all {role} 127.0.0.1/32 scram-sha-256\n" + rules);
        await ExecuteAsync(server.ConnectionString, "SELECT pg_reload_conf()");
        try
        {
            await using var pooler = await PgBouncer.StartAsync(server);
            await using var database = await server.CreateEmptyDatabaseAsync();
            var asRole = new NpgsqlConnectionStringBuilder(pooler.GetConnectionString(database.Name, pooling: false)) { Username = role };

            asRole.Password = "right-password";
            (await TestSupport.ScalarAsync<string>(asRole.ConnectionString, "SELECT current_user")).Should().Be(role);

            asRole.Password = "wrong-password";
            var wrong = () => TestSupport.ScalarAsync<string>(asRole.ConnectionString, "SELECT current_user");
            (await wrong.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("08P01", "PgBouncer reports a failed SASL login as a protocol violation");

            (await TestSupport.ScalarAsync<string>(pooler.GetConnectionString(database.Name, pooling: false), "SELECT current_user"))
                .Should().Be("postgres", "the cluster trusts postgres from loopback, and so does the pooler");
        }
        finally
        {
            await File.WriteAllTextAsync(hbaFile, rules);
            await ExecuteAsync(server.ConnectionString, "SELECT pg_reload_conf()");
        }
    }

    [Test]
    public async Task Dispose_kills_pgbouncer_deletes_its_folder_and_ends_its_server_connections()
    {
        var pooler = await PgBouncer.StartAsync(server);
        await using var database = await server.CreateEmptyDatabaseAsync();
        await TestSupport.ScalarAsync<int>(pooler.GetConnectionString(database.Name, pooling: false), "SELECT 1");
        var backends = await pooler.ServerProcessIdsAsync(database.Name);
        backends.Should().NotBeEmpty();
        var processId = pooler.ProcessId;
        File.Exists(Path.Combine(pooler.Folder, "pgbouncer.ini")).Should().BeTrue();
        TestSupport.UserIdOf(processId).Should().NotBe(0, "PgBouncer refuses to run as root");

        await pooler.DisposeAsync();

        ProcessLiveness.IsRunning(processId).Should().BeFalse();
        Directory.Exists(pooler.Folder).Should().BeFalse();
        (await TestSupport.EventuallyAsync(
            async () => await TestSupport.ScalarAsync<long>(
                server.ConnectionString, $"SELECT count(*) FROM pg_stat_activity WHERE pid IN ({string.Join(',', backends)})") == 0,
            TimeSpan.FromSeconds(10))).Should().BeTrue("the server connections end with PgBouncer");
        await pooler.DisposeAsync(); // a second dispose does nothing
    }

    [Test]
    public async Task The_janitor_kills_a_left_over_pgbouncer_found_by_its_pid_file()
    {
        await using var pooler = await PgBouncer.StartAsync(server);
        pooler.IsRunning.Should().BeTrue();

        PgBouncerProcess.KillLeftOver(pooler.Folder);

        (await TestSupport.PollUntilAsync(() => !pooler.IsRunning, TimeSpan.FromSeconds(10))).Should().BeTrue();
    }

    [Test]
    public async Task When_the_picked_port_is_taken_pgbouncer_is_started_on_another()
    {
        using var occupier = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupier.Start();
        var takenPort = ((System.Net.IPEndPoint)occupier.LocalEndpoint).Port;
        var picks = 0;
        using var logs = new RecordingLoggerFactory();
        var settings = new PgBouncerSettings { PortPicker = () => Interlocked.Increment(ref picks) == 1 ? takenPort : LocalCluster.PickFreePort() };

        await using var pooler = await PgBouncer.StartAsync(server.ConnectionString, settings, logs.CreateLogger("test"));

        picks.Should().Be(2);
        pooler.Port.Should().NotBe(takenPort);
        logs.Entries.Should().Contain(e => e.EventId.Id == 6032 && e.Message.Contains($"Port {takenPort} ", StringComparison.Ordinal));
        (await TestSupport.ScalarAsync<int>(pooler.GetConnectionString("postgres", pooling: false), "SELECT 1")).Should().Be(1);
    }

    [Test]
    public async Task A_missing_pgbouncer_program_is_a_reason_to_skip_and_a_start_failure_that_says_so()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-folder", "pgbouncer");

        var why = await PgBouncer.WhyUnavailableAsync(missing);
        var start = () => PgBouncer.StartAsync(server, new PgBouncerSettings { BinaryPath = missing });

        why.Should().Be($"PgBouncer is not at '{missing}'");
        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain(why);
        (await PgBouncer.WhyUnavailableAsync()).Should().BeNull("this machine has PgBouncer (else the fixture is ignored)");
    }

    [TestCase("host", new[] { "all" }, new[] { "all" }, "127.0.0.1", "255.255.255.255", "trust", ExpectedResult = "host all all 127.0.0.1/32 trust")]
    [TestCase("host", new[] { "all" }, new[] { "app" }, "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "scram-sha-256", ExpectedResult = "host all app ::1/128 scram-sha-256")]
    [TestCase("host", new[] { "a", "b" }, new[] { "x y" }, "all", null, "md5", ExpectedResult = "host a,b \"x y\" all md5")]
    [TestCase("host", new[] { "replication" }, new[] { "all" }, "127.0.0.1", "255.255.255.255", "trust", ExpectedResult = null)]
    [TestCase("local", new[] { "all" }, new[] { "all" }, null, null, "trust", ExpectedResult = null)]
    [TestCase("hostssl", new[] { "all" }, new[] { "all" }, "all", null, "cert", ExpectedResult = null)]
    [TestCase("host", new[] { "all" }, new[] { "+admins" }, "all", null, "md5", ExpectedResult = null)]
    [TestCase("host", new[] { "all" }, new[] { "all" }, "samehost", null, "trust", ExpectedResult = null)]
    public string? Server_hba_rules_become_pgbouncer_hba_rules_when_pgbouncer_can_apply_them(
        string type, string[] databases, string[] users, string? address, string? netmask, string method) =>
        PgBouncerHba.Translate(type, databases, users, address, netmask, method);

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = await OpenAsync(connectionString);
        await ExecuteAsync(connection, sql);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
