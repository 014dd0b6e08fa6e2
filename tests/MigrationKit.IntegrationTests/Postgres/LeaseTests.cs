using System.Diagnostics;
using System.Globalization;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// The lease (<c>LockMode = Lease</c>) directly on the server, with a short <c>LeaseTimeout</c> (2 s): a holder killed
/// with kill -9 in a long migration holds the next run up at most <c>LeaseTimeout</c>, and a holder whose migration lasts
/// three times <c>LeaseTimeout</c> (a <c>CREATE INDEX CONCURRENTLY</c> waiting for another session, or a long
/// transaction) keeps its lease while another runner waits, which does not take over.
/// </summary>
[TestFixture]
[Category("Topology")]
[Parallelizable(ParallelScope.Children)]
public sealed class LeaseTests
{
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(2);

    [Test]
    public async Task A_lease_holder_killed_in_a_long_migration_holds_up_the_next_run_at_most_LeaseTimeout_and_nothing_runs_twice()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        // Migration 3 sleeps until the test lets it go (a row in "go"): long for the run that is killed, short for the next.
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE go (ok boolean)");
        using MigrationFolder folder = new MigrationFolder()
            .Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL, pid int NOT NULL DEFAULT pg_backend_pid());\nINSERT INTO effects (version) VALUES (1);")
            .Up(2, "index_concurrently", "-- migrationkit:no-transaction\nCREATE INDEX CONCURRENTLY effects_version ON effects (version);\nINSERT INTO effects (version) VALUES (2);")
            .Up(3, "long", "INSERT INTO effects (version) VALUES (3);\nSELECT pg_sleep(600) WHERE NOT EXISTS (SELECT FROM go);")
            .Up(4, "after", "INSERT INTO effects (version) VALUES (4);");
        const string application = "mk-lease-killed";
        string holderId;
        Stopwatch sinceKill;
        using (var holder = RunnerProcess.Start(
            FaultSupport.Tagged(db.ConnectionString, application), folder.Path, "up", "--lock-mode", "Lease", "--lease-timeout-ms", Ms(LeaseTimeout), "--events"))
        {
            // In migration 3 for longer than a third of LeaseTimeout, so its background renewal has come due meanwhile.
            await Eventually.ReturnsAsync(
                () => Db.ScalarAsync<long>(
                    TestServer.ConnectionString,
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%pg_sleep(600)%' AND now() - query_start > $2",
                    application,
                    LeaseTimeout / 3 + TimeSpan.FromMilliseconds(300)),
                n => n == 1,
                TimeSpan.FromSeconds(30),
                $"the holder is in its long migration for more than a third of LeaseTimeout\n{holder.Output}");
            holderId = (await LeaseAsync(db))!.Value.Holder;
            holder.KillHard();
            sinceKill = Stopwatch.StartNew();
            await holder.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await Db.ExecuteAsync(db.ConnectionString, "INSERT INTO go VALUES (true)");
        var logger = new RecordingLogger();
        var next = FaultSupport.Runner(db.ConnectionString, folder.Path, logger, Lease);

        MigrationReport report = await next.UpAsync();

        TimeSpan waited = TimeSpan.FromMilliseconds((double)logger.Records.Single(r => r.EventId.Name == "LockAcquired").State.Single(p => p.Key == "ElapsedMs").Value!);
        TestContext.Out.WriteLine($"the next run waited {waited.TotalMilliseconds:0} ms for the lease; its run ended {sinceKill.ElapsedMilliseconds} ms after the kill");
        logger.Records.Should().Contain(r => r.EventId.Name == "WaitingForLease" && r.Message.Contains(holderId, StringComparison.Ordinal), "the dead holder's lease was there");
        logger.Records.Should().ContainSingle(r => r.EventId.Name == "LeaseTakenOver");
        waited.Should().BeLessThanOrEqualTo(LeaseTimeout, "a dead holder's lease is gone LeaseTimeout after its last renewal, at the latest");
        report.Executed.Select(e => e.Version).Should().Equal(3, 4);
        (await Db.ScalarAsync<long[]>(db.ConnectionString, "SELECT array_agg(version ORDER BY version)::bigint[] FROM effects")).Should().Equal(1, 2, 3, 4);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1, false), (2, false), (3, false), (4, false));
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().Be(0);
    }

    [Test]
    public async Task A_lease_is_renewed_through_a_CREATE_INDEX_CONCURRENTLY_three_times_as_long_as_LeaseTimeout_and_a_waiting_runner_does_not_take_over()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        // The index build waits for every transaction that holds a lock on the table it indexes: the test holds one.
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 1000);");
        using MigrationFolder folder = new MigrationFolder()
            .Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL);\nINSERT INTO effects VALUES (1);")
            .Up(2, "index_concurrently", "-- migrationkit:no-transaction\nCREATE INDEX CONCURRENTLY big_id ON big (id);\nINSERT INTO effects VALUES (2);")
            .Up(3, "after", "INSERT INTO effects VALUES (3);");
        await using var blocker = new NpgsqlConnection(db.ConnectionString);
        await blocker.OpenAsync();
        await using NpgsqlTransaction blocking = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE big IN ROW EXCLUSIVE MODE", blocker, blocking))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        await HolderAndWaiterAsync(
            db,
            folder,
            "mk-lease-cic",
            "CREATE INDEX CONCURRENTLY%",
            renewedMeanwhile: true,
            release: () => blocking.CommitAsync());

        (await Db.ScalarAsync<bool>(db.ConnectionString, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id'::regclass")).Should().BeTrue();
    }

    [Test]
    public async Task A_lease_holds_through_a_transaction_three_times_as_long_as_LeaseTimeout_and_a_waiting_runner_does_not_take_over()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = LongTransactionFolder();
        await using NpgsqlConnection blocker = await HoldAdvisoryLockAsync(db);

        await HolderAndWaiterAsync(
            db,
            folder,
            "mk-lease-long",
            "SELECT pg_advisory_xact_lock(4711)%",
            renewedMeanwhile: false,
            release: async () =>
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(4711)", blocker);
                await unlock.ExecuteNonQueryAsync();
            });
    }

    [Test]
    public async Task A_runner_waiting_for_a_lease_held_through_a_long_transaction_gives_up_after_LockTimeout_naming_the_holder()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = LongTransactionFolder();
        await using NpgsqlConnection blocker = await HoldAdvisoryLockAsync(db);
        const string application = "mk-lease-long-holder";
        var holder = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, application), folder.Path, new RecordingLogger(), Lease);
        Task<MigrationReport> holding = Task.Run(() => holder.UpAsync());
        await FaultSupport.SessionPidAsync(application, "SELECT pg_advisory_xact_lock(4711)%", "active");
        var waiter = FaultSupport.Runner(db.ConnectionString, folder.Path, new RecordingLogger(), o =>
        {
            Lease(o);
            o.LockTimeout = TimeSpan.FromSeconds(1);
        });

        Stopwatch waited = Stopwatch.StartNew();
        Task<MigrationReport> waiting = Task.Run(() => waiter.UpAsync());
        Exception? failure = null;
        try
        {
            await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        waited.Stop();
        bool holderStillInTransaction = await Db.ScalarAsync<long>(
            TestServer.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'SELECT pg_advisory_xact_lock(4711)%' AND state = 'active'", application) == 1;
        await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(4711)", blocker))
        {
            await unlock.ExecuteNonQueryAsync();
        }

        (await holding.WaitAsync(TimeSpan.FromSeconds(60))).Executed.Should().HaveCount(3);
        failure.Should().BeOfType<MigrationLockTimeoutException>("the waiter gives up after its LockTimeout of 1 s while the holder's transaction runs, not when it ends");
        TestContext.Out.WriteLine($"the waiter gave up after {waited.ElapsedMilliseconds} ms: {failure!.Message}");
        waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4), "LockTimeout is 1 s; a poll takes milliseconds");
        holderStillInTransaction.Should().BeTrue("the holder was still in its migration when the waiter gave up");
        failure.Message.Should().Contain("schema_migrations_lock").And.Contain($"process {Environment.ProcessId}").And.Contain(application)
            .And.Contain("now in a migration transaction", "the holder's migration transaction holds the lease row locked");
    }

    [Test]
    public async Task Through_transaction_pooling_a_lease_holds_through_a_long_transaction_while_more_runners_wait_than_the_pool_has_server_connections()
    {
        await TopologySupport.RequirePgBouncerAsync();
        await using PgBouncer pooler = await TopologySupport.StartPoolerAsync();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = LongTransactionFolder();
        await using NpgsqlConnection blocker = await HoldAdvisoryLockAsync(db);

        await HolderAndWaiterAsync(
            db,
            folder,
            "mk-lease-pooled",
            "SELECT pg_advisory_xact_lock(4711)%",
            renewedMeanwhile: false,
            release: async () =>
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(4711)", blocker);
                await unlock.ExecuteNonQueryAsync();
            },
            connect: name => pooler.GetConnectionString(name, pooling: false),
            waiters: pooler.DefaultPoolSize + 2);
    }

    [Test]
    public async Task A_lease_is_taken_over_a_data_source_whose_connection_string_names_no_application()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = new MigrationFolder().Up(1, "create_t", "CREATE TABLE t (id int);");
        string noApplication = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = null }.ConnectionString;
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(noApplication);
        var options = new MigrationOptions { LockMode = LockMode.Lease };
        var runner = new MigrationRunner(
            new MigrationKit.Sources.FileSystemMigrationSource(folder.Path), new MigrationKit.Postgres.PostgresMigrationStore(dataSource, options), options);

        MigrationReport report = await runner.UpAsync();

        report.Executed.Should().ContainSingle();
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().Be(0);
    }

    /// <summary>
    /// Runner A takes the lease and reaches a statement that waits until <paramref name="release"/>; the waiters start and
    /// wait for the lease. Three times LeaseTimeout later A's statement is let go: A completes every migration having kept
    /// its lease all along (never lost), and the waiters, which waited all that time without ever blocking inside a
    /// statement, find nothing to do. Outside a transaction the lease row shows the renewals
    /// (<paramref name="renewedMeanwhile"/>); inside one, the migration's own transaction holds the row locked from its
    /// start (its fence) to its commit, and a lease whose row is locked is never taken over.
    /// </summary>
    private static async Task HolderAndWaiterAsync(
        ThrowawayDatabase db,
        MigrationFolder folder,
        string application,
        string waitingQuery,
        bool renewedMeanwhile,
        Func<Task> release,
        Func<string, string>? connect = null,
        int waiters = 1)
    {
        string connectionString = connect?.Invoke(db.Name) ?? db.ConnectionString;
        var holderLog = new RecordingLogger();
        var waiterLogs = Enumerable.Range(0, waiters).Select(_ => new RecordingLogger()).ToList();
        var holder = FaultSupport.Runner(FaultSupport.Tagged(connectionString, application), folder.Path, holderLog, Lease);

        Task<MigrationReport> holding = Task.Run(() => holder.UpAsync());
        // Found by its database and statement: behind a transaction pooler a server connection carries the
        // application_name of whichever client used it first.
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<long>(
                TestServer.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND query LIKE $2 AND state = 'active'", db.Name, waitingQuery),
            n => n == 1,
            TimeSpan.FromSeconds(30),
            $"the holder runs '{waitingQuery}'");
        (string Holder, DateTimeOffset RenewedAt, DateTimeOffset ExpiresAt) first = (await LeaseAsync(db))!.Value;
        List<Task<MigrationReport>> waiting = [.. waiterLogs.Select(log => Task.Run(() => FaultSupport.Runner(connectionString, folder.Path, log, o =>
        {
            Lease(o);
            o.LockTimeout = TimeSpan.FromSeconds(60);
        }).UpAsync()))];
        await Eventually.ReturnsAsync(
            () => Task.FromResult(waiterLogs.Count(log => log.Records.Any(r => r.EventId.Name == "WaitingForLease"))),
            n => n == waiters,
            TimeSpan.FromSeconds(30),
            "every other runner waits for the lease");
        var allWaiting = Stopwatch.StartNew();

        // Three times LeaseTimeout, on the server's clock; the lease must stay A's all the while.
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<bool>(
                TestServer.ConnectionString,
                "SELECT coalesce(bool_and(now() - query_start > $2), false) FROM pg_stat_activity WHERE datname = $1 AND query LIKE $3 AND state = 'active'",
                db.Name,
                3 * LeaseTimeout,
                waitingQuery),
            done => done,
            TimeSpan.FromSeconds(60),
            "the statement has waited three times LeaseTimeout");
        (string Holder, DateTimeOffset RenewedAt, DateTimeOffset ExpiresAt) before = (await LeaseAsync(db))!.Value;
        long blocked = await Db.ScalarAsync<long>(
            TestServer.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", db.Name);
        TimeSpan waitedAtLeast = allWaiting.Elapsed;
        await release();

        MigrationReport held = await holding.WaitAsync(TimeSpan.FromSeconds(60));
        MigrationReport[] waited = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(60));

        before.Holder.Should().Be(first.Holder, "nobody took the lease over while the statement waited");
        if (renewedMeanwhile)
        {
            before.RenewedAt.Should().BeAfter(first.RenewedAt + LeaseTimeout, "the lease was renewed while the statement waited");
            before.ExpiresAt.Should().BeAfter(first.ExpiresAt + LeaseTimeout);
        }

        waitedAtLeast.Should().BeGreaterThan(2 * LeaseTimeout, "the waiters waited longer than a lease lasts unrenewed");
        blocked.Should().Be(1, "only the holder's statement waited on a lock; no waiter, no renewal blocked inside a statement");
        held.Executed.Should().HaveCount(3, "the holder applied everything");
        waited.Should().OnlyContain(r => r.Executed.Count == 0, "the waiters found the work done");
        holderLog.Records.Should().NotContain(r => r.EventId.Name == "LeaseLost" || r.EventId.Name == "LeaseRenewalFailed");
        foreach (RecordingLogger log in waiterLogs)
        {
            log.Records.Should().NotContain(r => r.EventId.Name == "LeaseTakenOver");
            TimeSpan waiterWait = TimeSpan.FromMilliseconds((double)log.Records.Single(r => r.EventId.Name == "LockAcquired").State.Single(p => p.Key == "ElapsedMs").Value!);
            waiterWait.Should().BeGreaterThan(waitedAtLeast, "the waiter waited for the holder until it was let go");
        }

        (await Db.ScalarAsync<long[]>(db.ConnectionString, "SELECT array_agg(version ORDER BY version)::bigint[] FROM effects")).Should().Equal(1, 2, 3);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1, false), (2, false), (3, false));
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().Be(0);
    }

    /// <summary>Migration 2 waits for an advisory lock the test holds (<see cref="HoldAdvisoryLockAsync"/>): a transaction as long as the test wants.</summary>
    private static MigrationFolder LongTransactionFolder() => new MigrationFolder()
        .Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL);\nINSERT INTO effects VALUES (1);")
        .Up(2, "long_transaction", "INSERT INTO effects VALUES (2);\nSELECT pg_advisory_xact_lock(4711);")
        .Up(3, "after", "INSERT INTO effects VALUES (3);");

    private static async Task<NpgsqlConnection> HoldAdvisoryLockAsync(ThrowawayDatabase db)
    {
        var blocker = new NpgsqlConnection(db.ConnectionString);
        await blocker.OpenAsync();
        await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(4711)", blocker);
        await take.ExecuteNonQueryAsync();
        return blocker;
    }

    private static void Lease(MigrationOptions options)
    {
        options.LockMode = LockMode.Lease;
        options.LeaseTimeout = LeaseTimeout;
    }

    private static string Ms(TimeSpan value) => ((int)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>The lease row: who holds it, when it was last renewed, when it expires.</summary>
    private static async Task<(string Holder, DateTimeOffset RenewedAt, DateTimeOffset ExpiresAt)?> LeaseAsync(ThrowawayDatabase db)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT holder, renewed_at, expires_at FROM {TopologySupport.LeaseTable}", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2))
            : null;
    }
}
