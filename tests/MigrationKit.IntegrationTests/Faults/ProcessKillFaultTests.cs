using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Faults;

/// <summary>
/// kill -9 of a runner process at a seeded random moment of a run of 20 migrations (transactional, wrapped,
/// multi-batch and non-transactional mixed). After each kill the state is consistent (see
/// <see cref="FaultWorkload.AssertConsistent"/>), and the next run completes, or refuses with a
/// <see cref="DirtyDatabaseException"/> naming the interrupted version and file; the repair it describes works.
/// </summary>
[TestFixture]
[Category("Faults")]
[Parallelizable(ParallelScope.All)]
public sealed class ProcessKillFaultTests
{
    /// <summary>The kill lands at most this many milliseconds after the event it waits for; a migration takes 30-130 ms.</summary>
    private const int KillWindowMs = 100;

    public static IEnumerable<int> Seeds => Enumerable.Range(1, 30);

    [TestCaseSource(nameof(Seeds))]
    public async Task A_runner_killed_at_a_seeded_random_point_leaves_a_state_the_next_run_completes_or_refuses_precisely(int seed)
    {
        // The seed picks where: after the lock is taken (0), or once migration k has started (1-20); then how long after.
        var random = new Random(seed);
        int target = random.Next(0, 21);
        int killAfterMs = random.Next(0, KillWindowMs);
        string trigger = target == 0 ? "event LockAcquired " : $"event MigrationStarting Running Up {target} ";
        using FaultWorkload workload = FaultWorkload.Mixed();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string application = $"mk-kill-{seed}";

        string landed;
        using (var child = RunnerProcess.Start(FaultSupport.Tagged(db.ConnectionString, application), workload.Path, "up", "--events"))
        {
            await child.Ready.WaitAsync(TimeSpan.FromSeconds(60));
            await FaultSupport.WaitUntilAsync(() => Task.FromResult(child.Output), o => o.Contains(trigger, StringComparison.Ordinal), $"the child prints '{trigger}'", 60, pollMs: 5);
            await Task.Delay(killAfterMs); // the fault: where it lands is seeded; what exactly it hits depends on the machine's pace
            landed = FaultSupport.LastEvent(child.Output);
            child.KillHard();
            await child.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        TestContext.Out.WriteLine($"seed {seed}: killed {killAfterMs} ms after '{trigger.Trim()}'; last event: {landed}");
        await FaultSupport.WaitForSessionsToEndAsync(application);
        WorkloadState afterKill = await workload.InspectAsync(db.ConnectionString);
        workload.AssertConsistent(afterKill, $"seed {seed}, after the kill ({landed})");
        (await FaultSupport.AdvisoryLocksAsync(db)).Should().Be(0, "the dead runner's lock went with its session");

        var runner = Runners.For(db, workload.Path, o => o.LockTimeout = TimeSpan.FromSeconds(30));
        try
        {
            await runner.UpAsync();
        }
        catch (DirtyDatabaseException dirty)
        {
            long version = afterKill.DirtyVersion ?? throw new AssertionException($"seed {seed}: refused as dirty, but no row was dirty: {dirty.Message}");
            TestContext.Out.WriteLine($"seed {seed}: the next run refused: dirty at {dirty.Version}");
            dirty.Version.Should().Be(version);
            workload.Kinds[(int)version - 1].Should().Be(WorkloadKind.NonTransactional, "only a script outside a transaction can leave the database dirty");
            dirty.Origin.Should().EndWith(workload.FileName(version));
            dirty.Message.Should().Contain($"force {version}").And.Contain($"force {version - 1}").And.Contain(workload.FileName(version));

            long forced = await workload.RepairDirtyAsync(db.ConnectionString, afterKill, version, v => runner.ForceAsync(v));
            TestContext.Out.WriteLine($"seed {seed}: repaired by hand and forced to {forced}");
            await runner.UpAsync();
        }

        workload.AssertComplete(await workload.InspectAsync(db.ConnectionString), $"seed {seed}, after the next run");
    }
}
