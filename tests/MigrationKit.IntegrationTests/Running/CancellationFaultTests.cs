using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Running;

/// <summary>
/// Cancellation at seeded points of a run of 20 transactional migrations (plain, wrapped in BEGIN/COMMIT, and one sent in
/// two batches): the run throws <see cref="OperationCanceledException"/> (never wrapped), the open transaction is rolled
/// back, the lock is released, nothing is dirty, and the next run finishes the work.
/// </summary>
[TestFixture]
[Category("Faults")]
[Parallelizable(ParallelScope.All)]
public sealed class CancellationFaultTests
{
    public static IEnumerable<int> Seeds => Enumerable.Range(1, 20);

    [TestCaseSource(nameof(Seeds))]
    public async Task A_run_cancelled_at_a_seeded_point_rolls_back_releases_the_lock_and_leaves_nothing_dirty(int seed)
    {
        // The seed picks where: once the lock is taken (0) or once migration k starts (1-20); then how long after.
        var random = new Random(seed);
        int target = random.Next(0, 21);
        int delayMs = random.Next(0, 40);
        WorkloadKind[] kinds = [.. Enumerable.Range(1, 20).Select(v => v == 6 ? WorkloadKind.Wrapped : v == 15 ? WorkloadKind.MultiBatch : WorkloadKind.Transactional)];
        using FaultWorkload workload = FaultWorkload.Create(kinds, sleepMs: 20);
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string app = $"mk-cancel-{seed}";
        var logger = new RecordingLogger();
        using var cancellation = new CancellationTokenSource();
        logger.At(
            r => target == 0 ? r.EventId.Name == "LockAcquired" : r.EventId.Name == "MigrationStarting" && r.Message.Contains($"Up {target} ", StringComparison.Ordinal),
            () => cancellation.CancelAfter(delayMs));
        var runner = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), workload.Path, logger);

        bool cancelled;
        try
        {
            await runner.UpAsync(cancellation.Token);
            cancelled = false;
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }

        // At once: no transaction left open, nothing dirty; the lock is released by the runner or, at the latest, with its session.
        (await Db.ScalarAsync<long>(TestServer.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%'", app))
            .Should().Be(0, "no transaction is left open");
        await Eventually.ReturnsAsync(() => FaultSupport.AdvisoryLocksAsync(db), n => n == 0, TimeSpan.FromSeconds(10), "the lock is released");
        WorkloadState state = await workload.InspectAsync(db.ConnectionString);
        workload.AssertConsistent(state, $"seed {seed}, cancelled {delayMs} ms after {(target == 0 ? "the lock" : $"migration {target} started")}");
        state.DirtyVersion.Should().BeNull();
        TestContext.Out.WriteLine($"seed {seed}: {(cancelled ? "cancelled" : "completed before the cancellation")} {delayMs} ms after target {target}; {state.History.Count} applied");

        await FaultSupport.Runner(db.ConnectionString, workload.Path, new RecordingLogger()).UpAsync();
        workload.AssertComplete(await workload.InspectAsync(db.ConnectionString), $"seed {seed}, after the next run");
    }
}
