using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MigrationKit.IntegrationTests.Hosting;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// A failover during a deploy: the application's host migrates at start-up over a multi-host connection string (standby
/// listed first, <c>Target Session Attributes=primary</c>, <c>StartupConnectRetry</c> set); in the middle of a
/// transactional migration the primary stops and the standby is promoted. The start-up run loses its connection, the
/// host retries against the promoted standby and completes: nothing half-applied, nothing doubled. The lock release that
/// fails with the lost connection is one line in the log, never a stack trace. Each case has a primary and standby of its
/// own, with synchronous_commit on (a crash keeps what was committed, as in production).
/// </summary>
[TestFixture]
[Category("Topology")]
[Parallelizable(ParallelScope.Children)]
public sealed class FailoverTests
{
    private const int DatabaseUnavailable = 5003;
    private const int Migrated = 5001;
    private const int LockReleaseFailed = 2004;

    /// <summary>The transactional migration the primary stops in (it waits for an advisory lock the test holds on the primary).</summary>
    private const int StopsIn = 10;

    /// <param name="stop">How the primary stops: <c>immediate</c> (a crash) or <c>fast</c> (sessions ended with 57P01).</param>
    /// <param name="promoteAfterRetries">
    /// How many retries the host makes before the standby is promoted: 0 promotes at once; 2 leaves the host without a
    /// primary for a while (the primary refuses connections, the standby is no primary yet), as a failover manager that
    /// takes seconds to promote does.
    /// </param>
    /// <param name="mode">
    /// The lock: <c>Auto</c> (the advisory lock, a direct connection) or <c>Lease</c> (with a LeaseTimeout of 2 s: the
    /// promoted standby has the lost run's lease, replicated, and the retry takes it over once it has expired).
    /// </param>
    [TestCase("immediate", 0, LockMode.Auto)]
    [TestCase("fast", 0, LockMode.Auto)]
    [TestCase("immediate", 2, LockMode.Auto)]
    [TestCase("immediate", 0, LockMode.Lease)]
    public async Task When_the_primary_stops_in_the_middle_of_a_start_up_run_and_the_standby_is_promoted_the_host_retries_and_completes(
        string stop, int promoteAfterRetries, LockMode mode)
    {
        await using PostgresServer primary = await TopologySupport.StartOwnPrimaryAsync(synchronousCommit: true);
        ThrowawayDatabase db = await primary.CreateEmptyDatabaseAsync("mk_failover_");
        await using PostgresStandby standby = await PostgresStandby.StartAsync(primary);
        using FaultWorkload workload = FaultWorkload.Mixed(sleepMs: 10, holdAt: StopsIn);
        string multiHost = MultiHostConnectionString.Build(
            [standby.GetConnectionString(db.Name), primary.GetConnectionString(db.Name)], hostRecheckSeconds: 0);
        await using var holder = new NpgsqlConnection(primary.GetConnectionString(db.Name));
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({FaultWorkload.HoldKey})", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o =>
        {
            o.ConnectionString = multiHost;
            o.StartupConnectRetry = TimeSpan.FromSeconds(60);
            o.LockMode = mode;
            o.LeaseTimeout = TimeSpan.FromSeconds(2);
        }).FromDirectory(workload.Path);
        using IHost host = builder.Build();

        Task start = host.StartAsync();
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<long>(primary.GetConnectionString(db.Name), $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {FaultWorkload.HoldKey} AND NOT granted"),
            waiting => waiting == 1,
            TimeSpan.FromSeconds(60),
            $"the start-up run waits inside migration {StopsIn}");
        // Every commit (flushed on the primary: synchronous_commit is on) replayed on the standby: asynchronous
        // replication loses none of them in this failover. Not CatchUpAsync: it waits for the WAL insert position, which
        // the open transaction of migration 10 keeps ahead of what the primary flushes and streams for seconds.
        string flushed = await Db.ScalarAsync<string>(primary.GetConnectionString(db.Name), "SELECT pg_current_wal_flush_lsn()::text");
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<bool>(standby.GetConnectionString(db.Name), "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)", flushed),
            replayed => replayed,
            TimeSpan.FromSeconds(30),
            $"the standby replays the primary's WAL up to {flushed}");
        WorkloadState beforeFailover = await workload.InspectAsync(primary.GetConnectionString(db.Name));
        var failover = Stopwatch.StartNew();
        await primary.StopServerAsync(stop);
        if (promoteAfterRetries > 0)
        {
            await host.WaitForEventsAsync(DatabaseUnavailable, promoteAfterRetries, TimeSpan.FromSeconds(30));
        }

        await standby.PromoteAsync();
        TestContext.Out.WriteLine($"{stop} stop and promotion took {failover.ElapsedMilliseconds} ms");

        await start.WaitAsync(TimeSpan.FromSeconds(120));

        TestContext.Out.WriteLine($"the host started {failover.ElapsedMilliseconds} ms after the primary stopped");
        foreach (FakeLogRecord record in host.Logs().GetSnapshot().Where(r => r.Level >= LogLevel.Warning))
        {
            TestContext.Out.WriteLine($"{record.Level} {record.Id.Name}: {record.Message}");
        }

        beforeFailover.History.Keys.Should().Equal(Enumerable.Range(1, StopsIn - 1).Select(v => (long)v), $"migrations 1 to {StopsIn - 1} were committed before the stop");
        workload.AssertComplete(await workload.InspectAsync(standby.GetConnectionString(db.Name)), $"after the {stop} stop, the promotion and the host's retry");
        IReadOnlyList<FakeLogRecord> retries = host.Events(DatabaseUnavailable);
        retries.Should().HaveCount(Math.Max(1, promoteAfterRetries), "the host retried until it found the promoted standby");
        retries[0].Message.Should().Contain($"migration {StopsIn}").And.Contain("lost");
        host.Events(Migrated).Should().ContainSingle().Which.Message.Should().Contain("at version 20");
        host.Events(5004).Should().BeEmpty("the start did not fail");

        FakeLogRecord released = host.Events(LockReleaseFailed).Should().ContainSingle("the run that lost its connection could not release its lock, once").Which;
        released.Level.Should().Be(LogLevel.Warning);
        released.Exception.Should().BeNull("one line, not a stack trace");
        if (mode == LockMode.Lease)
        {
            released.Message.Should().Contain("Could not release the migration lease").And.Contain("expires by itself");
            host.Logs().GetSnapshot().Should().ContainSingle(r => r.Id.Name == "LeaseTakenOver", "the retry took over the lost run's lease once it had expired");
        }
        else
        {
            released.Message.Should().Contain("Could not release the advisory lock").And.Contain("releases it");
        }

        host.Logs().GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Should().OnlyContain(r => r.Exception == null, "no warning or error carries a stack trace");
        await host.StopAsync();
    }

    [Test]
    public async Task A_start_up_that_finds_no_primary_among_its_hosts_waits_for_one_within_StartupConnectRetry()
    {
        // Both hosts are standbys that answer: the primary is gone and not listed, and no standby is promoted yet.
        await using PostgresServer primary = await TopologySupport.StartOwnPrimaryAsync(synchronousCommit: true);
        ThrowawayDatabase db = await primary.CreateEmptyDatabaseAsync("mk_noprimary_");
        await using PostgresStandby first = await PostgresStandby.StartAsync(primary);
        await using PostgresStandby second = await PostgresStandby.StartAsync(primary);
        using FaultWorkload workload = FaultWorkload.Mixed(count: 8, sleepMs: 5);
        string standbysOnly = MultiHostConnectionString.Build(
            [first.GetConnectionString(db.Name), second.GetConnectionString(db.Name)], hostRecheckSeconds: 0);
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o =>
        {
            o.ConnectionString = standbysOnly;
            o.StartupConnectRetry = TimeSpan.FromSeconds(60);
        }).FromDirectory(workload.Path);
        using IHost host = builder.Build();
        await primary.StopServerAsync("fast");

        Task start = host.StartAsync();
        Task<IReadOnlyList<FakeLogRecord>> waiting = host.WaitForEventsAsync(DatabaseUnavailable, 2, TimeSpan.FromSeconds(30));
        if (await Task.WhenAny(start, waiting) == start)
        {
            Exception? failed = start.Exception?.InnerException;
            Assert.Fail($"The start ended before any standby was promoted, without waiting for a primary: {failed?.GetType().Name}: {failed?.Message}");
        }

        IReadOnlyList<FakeLogRecord> waits = await waiting;
        await second.PromoteAsync();
        await start.WaitAsync(TimeSpan.FromSeconds(60));

        TestContext.Out.WriteLine(waits[0].Message);
        waits[0].Message.Should().Contain("primary", "the reason says that no host is a primary");
        host.Events(Migrated).Should().ContainSingle();
        workload.AssertComplete(await workload.InspectAsync(second.GetConnectionString(db.Name)), "after the promotion");
        await host.StopAsync();
    }
}
