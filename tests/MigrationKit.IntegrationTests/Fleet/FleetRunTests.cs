using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MigrationKit.Fleet;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.IntegrationTests.Fleet;

/// <summary>
/// How a fleet runs its targets: a lock another process holds, cancellation, lease locks, and telemetry. Not parallel:
/// the telemetry listeners are process-wide.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetRunTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_target_whose_lock_another_process_holds_is_tried_again_at_the_end_and_reported_done_by_another()
    {
        PostgresServer server = FleetShards.Servers[2];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 3);
        using var folder = new MigrationFolder()
            .Up(1, "gate", "SELECT pg_advisory_xact_lock(hashtext('${schema}'));\nCREATE TABLE a (id int);")
            .Up(2, "b", "CREATE TABLE b (id int);");
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");

        // The other process: a runner on tenant_0002 that holds its migration lock, its first migration held up by the test.
        await using var gate = new NpgsqlConnection(database.ConnectionString);
        await gate.OpenAsync();
        await new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('tenant_0002'))", gate).ExecuteNonQueryAsync();
        Task<MigrationReport> other = Runners.For(database, folder.Path, o => (o.Schema, o.SetSearchPath) = ("tenant_0002", true)).UpAsync();
        await Eventually.HoldsAsync(async () => await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1, Deadline, "the other runner waits inside its migration");

        var retried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var starts = new ConcurrentDictionary<string, int>();
        var progress = new Callback(p =>
        {
            if (p.Result is null && starts.AddOrUpdate(p.Target.Schema!, 1, (_, n) => n + 1) == 2 && p.Target.Schema == "tenant_0002")
            {
                retried.TrySetResult();
            }
        });
        using var logs = new RecordingLoggerFactory();
        var runner = new FleetRunner(new FileSystemMigrationSource(folder.Path), new MigrationOptions(), new FleetOptions { Progress = progress }, logs);
        Task<FleetReport> fleet = runner.UpAsync(targets);

        await retried.Task.WaitAsync(Deadline);
        await new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('tenant_0002'))", gate).ExecuteNonQueryAsync();
        (await other.WaitAsync(Deadline)).Executed.Should().HaveCount(2);
        FleetReport report = await fleet.WaitAsync(Deadline);

        report.Succeeded.Should().BeTrue();
        report.Targets.Select(t => (t.Schema, t.Outcome, t.Attempts)).Should().Equal(
            ("tenant_0001", FleetOutcome.Applied, 1),
            ("tenant_0002", FleetOutcome.DoneByAnother, 2),
            ("tenant_0003", FleetOutcome.Applied, 1));
        FleetTargetResult doneByAnother = report.Targets[1];
        (doneByAnother.FromVersion, doneByAnother.ToVersion, doneByAnother.MigrationsApplied).Should().Be(((long?)null, 2L, 0));
        doneByAnother.Reason.Should().Contain("Another process migrated it");
        report.Summary.DoneByAnother.Should().Be(1);

        // The fleet's events (7xxx), each target's own, and no lock time-out for a lock the fleet did not wait for.
        logs.Events.Select(e => (e.Id, e.Name)).Should().Contain([(7000, "FleetStarting"), (7005, "FleetTargetBusy"), (7003, "FleetTargetCompleted"), (7001, "FleetCompleted")]);
        logs.Events.Single(e => e.Id == 7005).Message.Should().Contain("tenant_0002").And.Contain("tried again");
        logs.Events.Count(e => e.Id == 7003).Should().Be(3);
        logs.Events.Should().Contain(e => e.Id == 1001 && e.Name == "RunCompleted", "each target's run logs as a single run does");
        logs.Events.Should().NotContain(e => e.Id == 2003, "passing over a busy target is not a lock time-out");
    }

    [Test]
    public async Task Cancelling_a_fleet_starts_nothing_more_rolls_the_running_targets_back_releases_their_locks_and_reports_each()
    {
        PostgresServer server = FleetShards.Servers[0];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 6);
        using var folder = new MigrationFolder()
            .Up(1, "one", "CREATE TABLE one (id int);")
            .Up(2, "slow", "CREATE TABLE two (id int);\nSELECT pg_sleep(60);")
            .Up(3, "three", "CREATE TABLE three (id int);");
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        var runner = new FleetRunner(new FileSystemMigrationSource(folder.Path), new MigrationOptions(), new FleetOptions { Parallelism = 2 });
        using var cancellation = new CancellationTokenSource();

        Task<FleetReport> fleet = runner.UpAsync(targets, cancellation.Token);
        await Eventually.HoldsAsync(async () => await SleepingAsync(database) == 2, Deadline, "two targets run their slow migration");
        var stopwatch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        FleetReport report = await fleet.WaitAsync(Deadline);
        TestContext.Out.WriteLine($"cancelled in {stopwatch.ElapsedMilliseconds} ms");

        report.IsCancelled.Should().BeTrue();
        report.Succeeded.Should().BeFalse();
        report.Targets.Take(2).Should().OnlyContain(t =>
            t.Outcome == FleetOutcome.Cancelled && t.MigrationsApplied == 1 && t.ToVersion == 1 && t.Reason!.Contains("rolled back", StringComparison.Ordinal));
        report.Targets.Skip(2).Should().OnlyContain(t => t.Outcome == FleetOutcome.Skipped && t.Attempts == 0 && t.Reason!.Contains("cancelled", StringComparison.Ordinal));
        (await FleetFixture.HistoryAsync(database.ConnectionString, "tenant_0001")).Should().Equal((1L, false));
        (await Db.TablesAsync(database.ConnectionString, "tenant_0001")).Should().NotContain("two", "migration 2 was rolled back");
        (await FleetFixture.HistoryAsync(database.ConnectionString, "tenant_0003")).Should().BeEmpty();
        await Eventually.HoldsAsync(async () => await SleepingAsync(database) == 0, Deadline, "the cancelled statements end on the server");
        (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).Should().Be(0, "every lock was released");
    }

    [Test]
    public async Task Scripts_whose_statements_return_values_of_any_type_run_on_the_fleets_connections()
    {
        // The fleet's connections skip Npgsql's type loading; a script's results are never read, whatever their types.
        PostgresServer server = FleetShards.Servers[0];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 2);
        using var folder = new MigrationFolder()
            .Up(1, "types", "CREATE TYPE mood AS ENUM ('calm', 'busy');\nCREATE TABLE t (m mood, p point, r int4range);\n" +
                "INSERT INTO t VALUES ('calm', point(1, 2), int4range(1, 3)) RETURNING *;\nSELECT ARRAY['busy'::mood], row(1, 'x'), pg_sleep(0);")
            .Up(2, "outside", "-- migrationkit:no-transaction\nSELECT t, t.m FROM t;");
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");

        FleetReport report = await new FleetRunner(new FileSystemMigrationSource(folder.Path), new MigrationOptions()).UpAsync(targets);

        report.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied && t.ToVersion == 2, string.Join("\n", report.Targets.Select(t => t.Failure?.Message)));
        (await Db.ScalarAsync<string>(database.ConnectionString, "SELECT m::text FROM tenant_0002.t")).Should().Be("calm");
    }

    [Test]
    public async Task A_fleet_runs_with_lease_locks_as_well()
    {
        PostgresServer server = FleetShards.Servers[1];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 3);
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");

        FleetReport report = await new FleetRunner(new FileSystemMigrationSource(FleetFixture.Planner), new MigrationOptions { LockMode = LockMode.Lease }).UpAsync(targets);

        report.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied && t.ToVersion == 10);
        (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations_lock' AND schemaname LIKE 'tenant\\_%'")).Should().Be(3);
    }

    [Test]
    public async Task A_fleet_makes_a_span_with_a_span_per_target_and_counts_the_targets_that_succeeded_and_failed()
    {
        PostgresServer server = FleetShards.Servers[2];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 3);
        await FleetFixture.BreakAsync(database.ConnectionString, "tenant_0003");
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        var activities = new ConcurrentQueue<Activity>();
        var measurements = new ConcurrentQueue<(string Name, long Value, string? Outcome)>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MigrationKit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "MigrationKit" && instrument.Name.StartsWith("migrationkit.fleet.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                outcome = tag.Key == "migrationkit.fleet.outcome" ? tag.Value as string : outcome;
            }

            measurements.Enqueue((instrument.Name, value, outcome));
        });
        meterListener.Start();

        FleetReport report = await new FleetRunner(new FileSystemMigrationSource(FleetFixture.Planner), new MigrationOptions(), new FleetOptions { OnError = FleetErrorPolicy.Continue }).UpAsync(targets);

        report.Summary.Should().BeEquivalentTo(new { Applied = 2, Failed = 1 });
        Activity fleetSpan = activities.Should().ContainSingle(a => a.OperationName == "migrationkit fleet up").Which;
        fleetSpan.GetTagItem("migrationkit.fleet.targets").Should().Be(3);
        fleetSpan.Status.Should().Be(ActivityStatusCode.Error);
        Activity[] targetSpans = [.. activities.Where(a => a.OperationName == "migrationkit fleet target")];
        targetSpans.Should().HaveCount(3).And.OnlyContain(a => a.ParentSpanId == fleetSpan.SpanId && a.TraceId == fleetSpan.TraceId);
        targetSpans.Select(a => a.GetTagItem("migrationkit.schema")).Should().BeEquivalentTo(new[] { "tenant_0001", "tenant_0002", "tenant_0003" });
        targetSpans.Single(a => (string?)a.GetTagItem("migrationkit.schema") == "tenant_0003").Status.Should().Be(ActivityStatusCode.Error);
        activities.Where(a => a.OperationName == "migrationkit up").Should().HaveCount(3)
            .And.OnlyContain(run => targetSpans.Any(t => t.SpanId == run.ParentSpanId), "each target's run is under its target's span");
        measurements.Where(m => m.Name == "migrationkit.fleet.targets.succeeded").Should().HaveCount(2).And.OnlyContain(m => m.Value == 1 && m.Outcome == "applied");
        measurements.Where(m => m.Name == "migrationkit.fleet.targets.failed").Should().ContainSingle().Which.Outcome.Should().Be("failed");
    }

    private static Task<long> SleepingAsync(ThrowawayDatabase database) => Db.ScalarAsync<long>(
        new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()");

    /// <summary>Records every event of every logger it makes: id, name and message.</summary>
    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        private readonly ConcurrentQueue<(int Id, string? Name, string Message)> _events = new();

        public IReadOnlyList<(int Id, string? Name, string Message)> Events => [.. _events];

        public ILogger CreateLogger(string categoryName) => new Logger(_events);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(int Id, string? Name, string Message)> events) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                events.Enqueue((eventId.Id, eventId.Name, formatter(state, exception)));
        }
    }

    /// <summary>A progress callback that runs at once on the reporting thread (Progress&lt;T&gt; would post it elsewhere).</summary>
    private sealed class Callback(Action<FleetProgress> report) : IProgress<FleetProgress>
    {
        public void Report(FleetProgress value) => report(value);
    }
}
