using System.Diagnostics;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// The migration lock is held by a stuck session for longer than <see cref="MigrationOptions.LockTimeout"/>: the
/// runner gives up on time with a <see cref="MigrationLockTimeoutException"/> that names the holder, and changes nothing.
/// </summary>
[TestFixture]
[Category("Faults")]
[Parallelizable(ParallelScope.All)]
public sealed class LockTimeoutFaultTests
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What the run may add to the lock timeout besides the 10%: taking a pooled session, reading the history and the
    /// source, and the holder query; generous, because the machine is shared and noisy.
    /// </summary>
    private static readonly TimeSpan Overhead = TimeSpan.FromSeconds(2);

    [Test]
    public async Task A_lock_held_by_a_stuck_session_times_out_within_ten_percent_naming_the_holders_pid_and_application()
    {
        using var folder = new MigrationFolder().Up(1, "create_a", "CREATE TABLE a (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await using LockHolder holder = await LockHolder.TakeAsync(db, "stuck-deployer");
        var runner = Runners.For(db, folder.Path, o => o.LockTimeout = LockTimeout);
        (await runner.GetStatusAsync()).CurrentVersion.Should().BeNull("a status first: the pool holds a connection and the code is compiled before the clock starts");

        var clock = Stopwatch.StartNew();
        MigrationLockTimeoutException timeout = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationLockTimeoutException>()).Which;
        TimeSpan elapsed = clock.Elapsed;

        // The one timing assertion the issue asks for: never before the timeout, and at most 10% late plus the holder query.
        elapsed.Should().BeGreaterThanOrEqualTo(LockTimeout).And.BeLessThanOrEqualTo((LockTimeout * 1.1) + Overhead);
        timeout.Timeout.Should().Be(LockTimeout);
        timeout.HolderProcessId.Should().Be(holder.ProcessId);
        timeout.HolderApplicationName.Should().Be("stuck-deployer");
        timeout.HolderSince.Should().NotBeNull();
        timeout.Message.Should().Contain($"pid {holder.ProcessId}").And.Contain("'stuck-deployer'")
            .And.Contain(nameof(MigrationOptions.LockTimeout)).And.Contain($"pg_terminate_backend({holder.ProcessId})");
        TestContext.Out.WriteLine($"timed out after {elapsed.TotalMilliseconds:0} ms: {timeout.Message}");
        (await Db.TablesAsync(db.ConnectionString)).Should().BeEmpty("a runner that never got the lock changes nothing");

        await holder.DisposeAsync();
        (await runner.UpAsync()).Executed.Should().HaveCount(1, "the lock is free once its holder's session ends");
    }

    [Test]
    public async Task A_lock_held_by_another_runner_stuck_in_a_migration_is_named_with_that_runners_application_name()
    {
        using var stuck = new MigrationFolder().Up(1, "stuck", "CREATE TABLE stuck (id int);\nSELECT pg_sleep(120);");
        using var later = new MigrationFolder().Up(1, "stuck", "CREATE TABLE stuck (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using RunnerProcess replica = RunnerProcess.Start(FaultSupport.Tagged(db.ConnectionString, "replica-a"), stuck.Path, "up");
        int holderPid = await FaultSupport.SessionPidAsync("replica-a", "%pg_sleep(120)%", "active", "PgSleep", timeoutSeconds: 60);
        var runner = Runners.For(db, later.Path, o => o.LockTimeout = TimeSpan.FromSeconds(1));

        MigrationLockTimeoutException timeout = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationLockTimeoutException>()).Which;

        timeout.HolderProcessId.Should().Be(holderPid);
        timeout.HolderApplicationName.Should().Be("replica-a");
        timeout.Message.Should().Contain("another runner is migrating this database");

        // kill -9 of the stuck replica: the server notices, rolls back, and the lock is free for the next run.
        replica.KillHard();
        await FaultSupport.WaitForSessionsToEndAsync("replica-a");
        var next = Runners.For(db, later.Path, o => o.LockTimeout = TimeSpan.FromSeconds(30));
        (await next.UpAsync()).Executed.Should().HaveCount(1);
    }

    [Test]
    public async Task A_statement_timeout_shorter_than_the_wait_does_not_cut_the_wait_for_the_lock()
    {
        // Waiters poll pg_try_advisory_lock; none blocks in a statement that statement_timeout could cancel.
        using var folder = new MigrationFolder().Up(1, "create_a", "CREATE TABLE a (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        LockHolder holder = await LockHolder.TakeAsync(db, "brief-holder");
        const string app = "mk-waits-past-statement-timeout";
        Task<MigrationReport> run = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, new RecordingLogger(), o =>
        {
            o.StatementTimeout = TimeSpan.FromMilliseconds(100);
            o.LockTimeout = TimeSpan.FromSeconds(30);
        }).UpAsync();

        // Wait until the waiter's session is five statement timeouts old, then let the lock go.
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<bool>(TestServer.ConnectionString, "SELECT coalesce(bool_or(now() - backend_start > interval '500 ms'), false) FROM pg_stat_activity WHERE application_name = $1", app),
            old => old,
            TimeSpan.FromSeconds(30),
            "the waiting runner's session is 500 ms old");
        run.IsCompleted.Should().BeFalse("the runner is still waiting, not failed by statement_timeout");
        await holder.DisposeAsync();

        (await run).Executed.Should().HaveCount(1);
    }
}
