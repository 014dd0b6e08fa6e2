using System.Diagnostics;
using MigrationKit.Fleet;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Sources;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Fleet;

/// <summary>
/// The Planner folder over a fleet: 60 databases on three servers, 300 schemas of one database. Every target reaches
/// version 10 in one call, the second call finds every one up to date, and a no-op fleet shares its connections.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetScaleTests
{
    [Test]
    public async Task Sixty_databases_on_three_servers_reach_version_10_and_a_second_run_finds_every_one_up_to_date()
    {
        IReadOnlyList<PostgresServer> shards = FleetShards.Servers;
        await using var fixture = new FleetFixture();
        IReadOnlyList<ThrowawayDatabase> databases = await fixture.CreateDatabasesAsync(shards, perServer: 20);
        IReadOnlyList<FleetTarget> targets = await fixture.DiscoverDatabasesAsync(shards);
        targets.Should().HaveCount(60);
        targets.Select(t => t.Server).Distinct().Should().HaveCount(3);

        var runner = new FleetRunner(new FileSystemMigrationSource(FleetFixture.Planner), new MigrationOptions());
        var stopwatch = Stopwatch.StartNew();
        FleetReport first = await runner.UpAsync(targets);
        TestContext.Out.WriteLine($"60 databases migrated in {stopwatch.ElapsedMilliseconds} ms");

        first.Succeeded.Should().BeTrue(string.Join("\n", first.Targets.Where(t => !t.Succeeded).Select(t => t.Failure?.Message ?? t.Reason)));
        first.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied && t.FromVersion == null && t.ToVersion == 10 && t.MigrationsApplied == 10);
        first.Summary.Should().BeEquivalentTo(new { Targets = 60, Servers = 3, Applied = 60, Failed = 0, MigrationsApplied = 600, Parallelism = 8 });
        first.Targets.Select(t => (t.Server, t.Database)).Should().BeInAscendingOrder(Comparer<(string, string)>.Create(Compare));
        foreach (ThrowawayDatabase database in databases)
        {
            (await Db.HistoryAsync(database.ConnectionString)).Should().HaveCount(10).And.OnlyContain(h => !h.Dirty);
            (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM steps")).Should().Be(6, "the seed data of migration 10 is in every tenant");
        }

        stopwatch.Restart();
        FleetReport second = await runner.UpAsync(targets);
        TestContext.Out.WriteLine($"60 databases found up to date in {stopwatch.ElapsedMilliseconds} ms");

        second.Succeeded.Should().BeTrue();
        second.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.UpToDate && t.FromVersion == 10 && t.ToVersion == 10 && t.MigrationsApplied == 0);
        second.Summary.UpToDate.Should().Be(60);
    }

    [Test]
    public async Task Three_hundred_schemas_of_one_database_reach_version_10_each_in_its_own_schema_and_a_second_run_finds_every_one_up_to_date()
    {
        PostgresServer server = FleetShards.Servers[0];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 300);
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        targets.Should().HaveCount(300);
        targets.Select(t => t.Schema).Should().BeInAscendingOrder(StringComparer.Ordinal);

        var runner = new FleetRunner(new FileSystemMigrationSource(FleetFixture.Planner), new MigrationOptions());
        var stopwatch = Stopwatch.StartNew();
        FleetReport first = await runner.UpAsync(targets);
        TestContext.Out.WriteLine($"300 schemas migrated in {stopwatch.ElapsedMilliseconds} ms");

        first.Succeeded.Should().BeTrue(string.Join("\n", first.Targets.Where(t => !t.Succeeded).Take(3).Select(t => t.Failure?.Message ?? t.Reason)));
        first.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied && t.ToVersion == 10 && t.MigrationsApplied == 10);

        // Each tenant's objects in its own schema (the scripts name no schema), its history beside them; nothing in public.
        (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_tables WHERE tablename = 'projects' AND schemaname LIKE 'tenant\\_%'")).Should().Be(300);
        (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'tenant\\_%' AND tablename = 'schema_migrations'")).Should().Be(300);
        (await Db.TablesAsync(database.ConnectionString, "public")).Should().BeEmpty();
        (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM tenant_0150.steps")).Should().Be(6);

        stopwatch.Restart();
        long sessionsBefore = await SessionsAsync(database.ConnectionString);
        FleetReport second = await runner.UpAsync(targets);
        long elapsed = stopwatch.ElapsedMilliseconds;
        await WaitForFleetSessionsToEndAsync(database.ConnectionString);
        long sessionsOpened = await SessionsAsync(database.ConnectionString) - sessionsBefore;
        TestContext.Out.WriteLine($"300 schemas found up to date in {elapsed} ms on {sessionsOpened} connection(s), the two that measured included");

        second.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.UpToDate && t.ToVersion == 10);
        sessionsOpened.Should().BeInRange(1, second.Summary.Parallelism + 2, "the targets of one database share its pooled connections");
    }

    [Test]
    public async Task Status_over_a_fleet_counts_the_targets_at_each_version_and_names_the_dirty_behind_and_unreachable_ones()
    {
        PostgresServer server = FleetShards.Servers[1];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 6);
        var source = new FileSystemMigrationSource(FleetFixture.Planner);
        IReadOnlyList<FleetTarget> schemas = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        var runner = new FleetRunner(source, new MigrationOptions());
        (await runner.UpAsync(schemas.Take(3))).Succeeded.Should().BeTrue();
        await Runners.For(database, FleetFixture.Planner, o => (o.Schema, o.SetSearchPath) = ("tenant_0004", true)).UpAsync(3);
        await Runners.For(database, FleetFixture.Planner, o => (o.Schema, o.SetSearchPath) = ("tenant_0005", true)).UpAsync(5);
        await Db.ExecuteAsync(database.ConnectionString, "UPDATE tenant_0005.schema_migrations SET dirty = true WHERE version = 5");
        var unreachable = new FleetTarget(server.GetConnectionString("mk_no_such_database"), "tenant_x");

        FleetStatus status = await runner.GetStatusAsync([.. schemas, unreachable]);

        status.SourceVersion.Should().Be(10);
        status.Versions.Should().Equal(
            new FleetVersionCount { Version = 10, Targets = 3 },
            new FleetVersionCount { Version = 5, Targets = 1 },
            new FleetVersionCount { Version = 3, Targets = 1 },
            new FleetVersionCount { Version = null, Targets = 1 });
        status.Dirty.Select(t => t.Schema).Should().Equal("tenant_0005");
        status.Behind.Select(t => (t.Schema, t.CurrentVersion, t.Pending)).Should().Equal(("tenant_0004", 3L, 7), ("tenant_0006", (long?)null, 10));
        status.Unreachable.Should().ContainSingle().Which.Error.Should().Contain("mk_no_such_database");
    }

    private static int Compare((string Server, string Database) a, (string Server, string Database) b)
    {
        int server = string.CompareOrdinal(a.Server, b.Server);
        return server != 0 ? server : string.CompareOrdinal(a.Database, b.Database);
    }

    /// <summary>Waits until the fleet's closed connections have ended on the server, so their sessions are counted.</summary>
    private static async Task WaitForFleetSessionsToEndAsync(string connectionString)
    {
        string unpooled = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<long>(unpooled, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'MigrationKit'"),
            sessions => sessions == 0,
            TimeSpan.FromSeconds(30),
            "the fleet's sessions end on the server");
    }

    /// <summary>Sessions ever opened to the database (PostgreSQL 14+), read on a connection of its own.</summary>
    private static async Task<long> SessionsAsync(string connectionString)
    {
        string unpooled = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        return await Db.ScalarAsync<long>(unpooled, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()");
    }
}
