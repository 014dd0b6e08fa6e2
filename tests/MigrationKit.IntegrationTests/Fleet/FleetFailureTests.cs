using MigrationKit.Fleet;
using MigrationKit.Sources;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Fleet;

/// <summary>
/// One tenant broken (its migration 3 fails: the table it creates is already there): on error continue, stop, and a
/// canary. The report names the broken tenant with the file, line, column and SQLSTATE.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetFailureTests
{
    [Test]
    public async Task With_continue_every_other_target_completes_and_the_report_names_the_broken_one_with_file_line_and_column()
    {
        IReadOnlyList<PostgresServer> shards = FleetShards.Servers;
        await using var fixture = new FleetFixture();
        await fixture.CreateDatabasesAsync(shards, perServer: 4);
        IReadOnlyList<FleetTarget> targets = await fixture.DiscoverDatabasesAsync(shards);
        FleetTarget broken = targets[5];
        await FleetFixture.BreakAsync(broken.ConnectionString);

        FleetReport report = await Runner(FleetErrorPolicy.Continue, parallelism: 4).UpAsync(targets);

        report.Succeeded.Should().BeFalse();
        report.Targets.Where(t => t.Database != broken.Database).Should().HaveCount(11)
            .And.OnlyContain(t => t.Outcome == FleetOutcome.Applied && t.ToVersion == 10);
        FleetTargetResult failed = report.Targets.Single(t => t.Database == broken.Database);
        failed.Outcome.Should().Be(FleetOutcome.Failed);
        failed.Target.Should().Be(broken.Name);
        (failed.FromVersion, failed.ToVersion, failed.MigrationsApplied).Should().Be(((long?)null, 2L, 2));
        failed.Failure!.Version.Should().Be(3);
        Path.GetFileName(failed.Failure.File).Should().Be("003_create_steps_table.up.sql");
        (failed.Failure.Line, failed.Failure.Column, failed.Failure.SqlState).Should().Be((2, 1, "42P07"));
        failed.Failure.Message.Should().Contain("relation \"steps\" already exists");
        report.Summary.Should().BeEquivalentTo(new { Applied = 11, Failed = 1, Skipped = 0, MigrationsApplied = 112 });
        (await FleetFixture.HistoryAsync(broken.ConnectionString)).Select(h => h.Version).Should().Equal(1, 2);
    }

    [Test]
    public async Task With_stop_no_target_starts_after_the_failure()
    {
        PostgresServer server = FleetShards.Servers[0];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 10);
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        await FleetFixture.BreakAsync(database.ConnectionString, "tenant_0004");

        FleetReport report = await Runner(FleetErrorPolicy.Stop, parallelism: 1).UpAsync(targets);

        report.Targets.Select(t => (t.Schema, t.Outcome)).Should().Equal(
            ("tenant_0001", FleetOutcome.Applied),
            ("tenant_0002", FleetOutcome.Applied),
            ("tenant_0003", FleetOutcome.Applied),
            ("tenant_0004", FleetOutcome.Failed),
            ("tenant_0005", FleetOutcome.Skipped),
            ("tenant_0006", FleetOutcome.Skipped),
            ("tenant_0007", FleetOutcome.Skipped),
            ("tenant_0008", FleetOutcome.Skipped),
            ("tenant_0009", FleetOutcome.Skipped),
            ("tenant_0010", FleetOutcome.Skipped));
        report.Targets.Where(t => t.Outcome == FleetOutcome.Skipped).Should().OnlyContain(t =>
            t.Attempts == 0 && t.StartedAt == null && t.Reason!.Contains("tenant_0004 failed", StringComparison.Ordinal));
        foreach (string skipped in report.Targets.Where(t => t.Outcome == FleetOutcome.Skipped).Select(t => t.Schema))
        {
            (await FleetFixture.HistoryAsync(database.ConnectionString, skipped)).Should().BeEmpty("{0} never started", skipped);
        }
    }

    [Test]
    public async Task With_stop_and_several_at_once_the_running_targets_finish_and_none_starts_after_the_failure()
    {
        PostgresServer server = FleetShards.Servers[1];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 40);
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        await FleetFixture.BreakAsync(database.ConnectionString, "tenant_0006");

        FleetReport report = await Runner(FleetErrorPolicy.Stop, parallelism: 3).UpAsync(targets);

        FleetTargetResult failed = report.Targets.Single(t => t.Outcome == FleetOutcome.Failed);
        failed.Schema.Should().Be("tenant_0006");
        DateTimeOffset failedAt = failed.StartedAt!.Value + failed.Duration;
        report.Targets.Where(t => t.StartedAt is not null).Should().OnlyContain(t => t.StartedAt <= failedAt);
        report.Targets.Where(t => t.StartedAt is not null && t != failed).Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied, "the targets running when it failed finished");
        report.Summary.Skipped.Should().BeGreaterThan(0);
        report.Targets.Where(t => t.Outcome == FleetOutcome.Skipped).Should().OnlyContain(t => t.Attempts == 0);
    }

    [Test]
    public async Task A_canary_of_one_with_a_broken_first_target_runs_nothing_else()
    {
        IReadOnlyList<PostgresServer> shards = FleetShards.Servers;
        await using var fixture = new FleetFixture();
        await fixture.CreateDatabasesAsync(shards, perServer: 3);
        IReadOnlyList<FleetTarget> targets = await fixture.DiscoverDatabasesAsync(shards);
        await FleetFixture.BreakAsync(targets[0].ConnectionString);
        var runner = new FleetRunner(
            new FileSystemMigrationSource(FleetFixture.Planner),
            new MigrationOptions(),
            new FleetOptions { Canary = 1, OnError = FleetErrorPolicy.Continue });

        FleetReport report = await runner.UpAsync(targets);

        report.Targets[0].Outcome.Should().Be(FleetOutcome.Failed);
        report.Targets.Skip(1).Should().HaveCount(8).And.OnlyContain(t => t.Outcome == FleetOutcome.Skipped && t.Attempts == 0 && t.Reason!.Contains("canary", StringComparison.Ordinal));
        foreach (FleetTarget other in targets.Skip(1))
        {
            (await FleetFixture.HistoryAsync(other.ConnectionString)).Should().BeEmpty();
        }
    }

    [Test]
    public async Task A_canary_that_succeeds_lets_the_rest_run()
    {
        PostgresServer server = FleetShards.Servers[2];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 5);
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        var runner = new FleetRunner(new FileSystemMigrationSource(FleetFixture.Planner), new MigrationOptions(), new FleetOptions { Canary = 2 });

        FleetReport report = await runner.UpAsync(targets);

        report.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied);
        DateTimeOffset canaryDone = report.Targets.Take(2).Max(t => t.StartedAt!.Value + t.Duration);
        report.Targets.Skip(2).Should().OnlyContain(t => t.StartedAt >= canaryDone, "the rest start once the canary is done");
    }

    private static FleetRunner Runner(FleetErrorPolicy onError, int parallelism) => new(
        new FileSystemMigrationSource(FleetFixture.Planner),
        new MigrationOptions(),
        new FleetOptions { OnError = onError, Parallelism = parallelism });
}
