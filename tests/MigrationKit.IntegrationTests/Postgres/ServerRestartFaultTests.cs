using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// The server restarts in the middle of a run of the mixed workload: <c>fast</c> (pg_ctl restart's default: every
/// session ends with 57P01, a checkpoint, a new postmaster) and <c>immediate</c> (a crash: no checkpoint, recovery from
/// the WAL at start). Restarting is only possible on a private cluster this fixture starts for itself, so the other
/// tests of the run never see it; against an external server (MIGRATIONKIT_TEST_CONNECTION) or a container the
/// fixture is ignored.
/// </summary>
[TestFixture]
[Category("Faults")]
[Parallelizable(ParallelScope.Self)]
public sealed class ServerRestartFaultTests
{
    private PostgresServer? _server;

    [OneTimeSetUp]
    public async Task StartOwnClusterAsync()
    {
        if (TestServer.Server.Kind != PostgresServerKind.LocalCluster)
        {
            Assert.Ignore($"Restarting needs a private cluster started from the local binaries; this run uses a server of kind {TestServer.Server.Kind} (MIGRATIONKIT_TEST_CONNECTION or a container), which a test must not restart.");
        }

        // synchronous_commit on, as in production: an immediate stop is a crash, and a crash of a server that runs with it
        // off (the private clusters' default, for speed) loses the commits of its last few hundred milliseconds, so what a
        // runner saw committed before the restart would not be what the test finds after it.
        _server = await PostgresServer.StartAsync(new PostgresServerOptions { AllowContainer = false, IgnoreEnvironmentVariable = true, SynchronousCommit = true });
    }

    [OneTimeTearDown]
    public async Task StopOwnClusterAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [TestCase("fast", 7)]
    [TestCase("immediate", 12)]
    public async Task A_restart_in_the_middle_of_a_run_loses_the_connection_cleanly_and_the_next_run_finishes_the_work(string mode, int atVersion)
    {
        PostgresServer server = _server!;
        using FaultWorkload workload = FaultWorkload.Mixed(sleepMs: 250); // long enough for the restart to land inside the script
        await using ThrowawayDatabase db = await server.CreateEmptyDatabaseAsync("mk_restart_");
        var logger = new RecordingLogger();
        var runner = FaultSupport.Runner(db.ConnectionString, workload.Path, logger);
        (Task reached, Action go) = logger.HoldAt("MigrationStarting", r => r.Message.Contains($"Up {atVersion} ", StringComparison.Ordinal));
        Task<MigrationReport> run = Task.Run(() => runner.UpAsync());

        await reached.WaitAsync(TimeSpan.FromSeconds(60));
        go();
        await server.RestartAsync(mode);

        MigrationException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationException>()).Which;
        TestContext.Out.WriteLine($"{mode} restart at version {atVersion}: {failure.GetType().Name}: {failure.Message}");
        (failure is MigrationFailedException { IsConnectionLost: true } or MigrationConnectionException { IsTransient: true })
            .Should().BeTrue($"a restart is a lost connection, not a failed script: {failure}");
        failure.Message.Should().Contain("lost");
        WorkloadState afterRestart = await workload.InspectAsync(db.ConnectionString);
        workload.AssertConsistent(afterRestart, $"{mode} restart at {atVersion}");
        afterRestart.History.Keys.Should().NotContain(20, "the restart landed in the middle of the run");

        // The same runner again, in the same process, once the server is back.
        try
        {
            await runner.UpAsync();
        }
        catch (DirtyDatabaseException dirty)
        {
            long version = afterRestart.DirtyVersion ?? throw new AssertionException($"refused as dirty, but no row was dirty: {dirty.Message}");
            dirty.Version.Should().Be(version);
            dirty.Origin.Should().EndWith(workload.FileName(version));
            await workload.RepairDirtyAsync(db.ConnectionString, afterRestart, version, v => runner.ForceAsync(v));
            await runner.UpAsync();
        }

        workload.AssertComplete(await workload.InspectAsync(db.ConnectionString), $"{mode} restart, after the next run");
    }
}
