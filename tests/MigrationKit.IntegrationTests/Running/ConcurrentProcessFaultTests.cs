using System.Globalization;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Running;

/// <summary>
/// Sixteen runners in sixteen processes released at once against a fresh database, as sixteen replicas of a service
/// starting together, twenty times: every migration runs exactly once, and every runner succeeds, the losers of the
/// race having found the work done. The processes are started once and serve every round (see
/// <see cref="ServedRunners"/>); one more round starts sixteen new processes, cold, as a deploy does.
/// </summary>
[TestFixture]
[Category("Faults")]
[Parallelizable(ParallelScope.Self)]
public sealed class ConcurrentProcessFaultTests
{
    private const int Runners = 16;
    private const int Migrations = 4;

    private ServedRunners? _runners;

    public static IEnumerable<int> Rounds => Enumerable.Range(1, 20);

    [OneTimeSetUp]
    public async Task StartRunnersAsync() => _runners = await ServedRunners.StartAsync(Runners);

    [OneTimeTearDown]
    public async Task StopRunnersAsync()
    {
        if (_runners is not null)
        {
            int[] exitCodes = await _runners.StopAsync();
            await _runners.DisposeAsync();
            exitCodes.Should().OnlyContain(code => code == 0, "every runner process ends cleanly");
        }
    }

    [TestCaseSource(nameof(Rounds))]
    public async Task Sixteen_runner_processes_released_at_once_apply_every_migration_exactly_once_and_all_succeed(int round)
    {
        using MigrationFolder folder = EffectMigrations();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        RunResult[] results = await _runners!.RunAllAsync($"round-{round}", FaultSupport.Tagged(db.ConnectionString, $"mk-replica-{round}"), folder.Path, TimeSpan.FromMinutes(3));

        results.Select(r => r.Code).Should().OnlyContain(code => code == 0, $"round {round}: every runner succeeds:\n{_runners.Errors}");
        int[] executed = [.. results.Select(r => r.Executed)];
        executed.Sum().Should().Be(Migrations, $"round {round}: across all runners each migration ran once ({string.Join(", ", executed)})");
        results.Should().OnlyContain(r => r.To == Migrations, "every runner ends at the newest version");
        await AssertEachMigrationRanOnceAsync(db);
        TestContext.Out.WriteLine($"round {round}: scripts run per runner: {string.Join(" ", executed)}");
    }

    [Test]
    public async Task Sixteen_new_runner_processes_started_at_once_apply_every_migration_exactly_once_and_all_exit_0()
    {
        using MigrationFolder folder = EffectMigrations();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string application = "mk-replica-cold";
        var children = Enumerable.Range(0, Runners)
            .Select(_ => RunnerProcess.Start(FaultSupport.Tagged(db.ConnectionString, application), folder.Path, "up"))
            .ToList();
        try
        {
            int[] exitCodes = await Task.WhenAll(children.Select(c => c.WaitForExitAsync(TimeSpan.FromMinutes(3))));

            string outputs = string.Join("\n---\n", children.Select(c => c.Output));
            exitCodes.Should().OnlyContain(code => code == 0, $"every runner succeeds:\n{outputs}");
            int[] executed = [.. children.Select(c => ExecutedCount(c.Output))];
            executed.Sum().Should().Be(Migrations, $"across all runners each migration ran once ({string.Join(", ", executed)})");
            await AssertEachMigrationRanOnceAsync(db);
            TestContext.Out.WriteLine($"cold start: scripts run per runner: {string.Join(" ", executed)}");
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Each migration records a side effect; one that ran twice would leave two rows (nothing stops it but the lock).</summary>
    private static MigrationFolder EffectMigrations()
    {
        var folder = new MigrationFolder().Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL, pid int NOT NULL DEFAULT pg_backend_pid());\nINSERT INTO effects (version) VALUES (1);");
        for (int v = 2; v <= Migrations; v++)
        {
            string transaction = v % 2 == 0 ? "-- migrationkit:no-transaction\n" : string.Empty;
            folder.Up(v, $"step_{v}", $"{transaction}CREATE TABLE t{v} (id int);\nINSERT INTO effects (version) VALUES ({v});");
        }

        return folder;
    }

    private static async Task AssertEachMigrationRanOnceAsync(ThrowawayDatabase db)
    {
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM effects")).Should().Be(Migrations);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(DISTINCT version) FROM effects")).Should().Be(Migrations);
        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(Migrations).And.OnlyContain(h => !h.Dirty);
    }

    /// <summary>How many scripts a runner ran, from its "done from to count" line.</summary>
    private static int ExecutedCount(string output)
    {
        string done = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("done ", StringComparison.Ordinal));
        return int.Parse(done.Split(' ')[3], CultureInfo.InvariantCulture);
    }
}
