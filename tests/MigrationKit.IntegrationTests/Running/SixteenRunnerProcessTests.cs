using MigrationKit.Testing;
using MigrationKit.Testing.Internal;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Running;

/// <summary>
/// Sixteen runner processes released at once on a fresh database, twenty rounds, on twenty migrations that mix
/// transactional ones and <c>no-transaction</c> ones with a <c>CREATE INDEX CONCURRENTLY</c>, each recording its version
/// in a side table: through a transaction-mode PgBouncer with the default options (where the advisory lock of a direct
/// connection would land on a shared server connection, and <c>Auto</c> must take the lease), and with
/// <c>LockMode = Lease</c> directly on the server. Every migration once, every runner succeeds, and neither an advisory
/// lock nor a lease is left. The processes are started once and serve every round (see <see cref="ServedRunners"/>).
/// </summary>
[TestFixture]
[Category("Topology")]
[Parallelizable(ParallelScope.Self)]
public sealed class SixteenRunnerProcessTests
{
    private const int Runners = 16;

    private ServedRunners? _runners;
    private FaultWorkload? _workload;
    private PgBouncer? _pooler;
    private string? _whyNoPooler;

    public static IEnumerable<int> Rounds => Enumerable.Range(1, 20);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _whyNoPooler = await PgBouncer.WhyUnavailableAsync();
        if (_whyNoPooler is null && TestServer.Server.Kind != PostgresServerKind.LocalCluster)
        {
            _whyNoPooler = $"a PgBouncer is put in front of the private cluster of the test run; this run uses a server of kind {TestServer.Server.Kind}";
        }

        if (_whyNoPooler is null)
        {
            _pooler = await TopologySupport.StartPoolerAsync();
        }

        _workload = FaultWorkload.Mixed();
        _runners = await ServedRunners.StartAsync(Runners);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _workload?.Dispose();
        if (_runners is not null)
        {
            int[] exitCodes = await _runners.StopAsync();
            await _runners.DisposeAsync();
            exitCodes.Should().OnlyContain(code => code == 0, "every runner process ends cleanly");
        }

        if (_pooler is not null)
        {
            await _pooler.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(Rounds))]
    public async Task Through_transaction_pooling_with_default_options_sixteen_runner_processes_apply_every_migration_once_and_leave_no_lock(int round)
    {
        if (_whyNoPooler is not null)
        {
            Assert.Ignore(_whyNoPooler);
        }

        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string through = FaultSupport.Tagged(_pooler!.GetConnectionString(db.Name, pooling: false), $"mk-pooled-{round}");

        RunResult[] results = await _runners!.RunAllAsync($"pooled-{round}", through, _workload!.Path, TimeSpan.FromMinutes(3));

        await AssertRoundAsync(db, results, $"through PgBouncer, round {round}");
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().Be(0, "Auto took the lease behind the pooler (its table is there), and the last runner released it");
    }

    [TestCaseSource(nameof(Rounds))]
    public async Task With_the_lease_on_a_direct_connection_sixteen_runner_processes_apply_every_migration_once_and_leave_no_lease(int round)
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string direct = FaultSupport.Tagged(db.ConnectionString, $"mk-lease-{round}");

        RunResult[] results = await _runners!.RunAllAsync($"lease-{round}", direct, _workload!.Path, TimeSpan.FromMinutes(3), "--lock-mode Lease");

        await AssertRoundAsync(db, results, $"lease, round {round}");
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().Be(0, "the lease table is there and the last runner released its lease");
    }

    private async Task AssertRoundAsync(ThrowawayDatabase db, RunResult[] results, string context)
    {
        results.Select(r => r.Code).Should().OnlyContain(code => code == 0, $"{context}: every runner succeeds:\n{_runners!.Errors}");
        int[] executed = [.. results.Select(r => r.Executed)];
        executed.Sum().Should().Be(_workload!.Count, $"{context}: across all runners each migration ran once ({string.Join(", ", executed)})");
        results.Should().OnlyContain(r => r.To == _workload.Count, $"{context}: every runner ends at the newest version");
        _workload.AssertComplete(await _workload.InspectAsync(db.ConnectionString), context);
        (await TopologySupport.AdvisoryLocksAsync(db.ConnectionString)).Should().Be(0, $"{context}: no advisory lock is left on any server connection");
        TestContext.Out.WriteLine($"{context}: scripts run per runner: {string.Join(" ", executed)}");
    }
}
