using System.Diagnostics;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Testing;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// A hot standby (<c>pg_basebackup -R</c>, on another port) of a primary of this fixture's own: every command that writes
/// is refused with the standby message before anything is attempted (no write, no LISTEN, no NOTIFY, no warning), reading
/// the status works, and a multi-host connection string that lists the standby first migrates the primary.
/// </summary>
[TestFixture]
[Category("Topology")]
[Parallelizable(ParallelScope.Self)]
public sealed class StandbyRunTests
{
    private PostgresServer? _primary;
    private PostgresStandby? _standby;
    private MigrationFolder? _folder;

    private MigrationFolder Folder => _folder!;

    private PostgresServer Primary => _primary!;

    private PostgresStandby Standby => _standby!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = NewFolder();
        _primary = await TopologySupport.StartOwnPrimaryAsync();
        _standby = await PostgresStandby.StartAsync(_primary);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _folder?.Dispose();
        if (_standby is not null)
        {
            await _standby.DisposeAsync();
        }

        if (_primary is not null)
        {
            await _primary.DisposeAsync();
        }
    }

    [TestCase("up")]
    [TestCase("goto")]
    [TestCase("force")]
    [TestCase("baseline")]
    [TestCase("drop")]
    public async Task On_a_standby_a_command_that_writes_is_refused_with_the_standby_message_and_changes_nothing(string command)
    {
        await using ThrowawayDatabase db = await AppliedUpTo2Async();
        var logger = new RecordingLogger();
        var runner = FaultSupport.Runner(Standby.GetConnectionString(db.Name), Folder.Path, logger, o => o.AllowDrop = true);
        Func<Task> run = command switch
        {
            "up" => () => runner.UpAsync(),
            "goto" => () => runner.GotoAsync(3),
            "force" => () => runner.ForceAsync(3),
            "baseline" => () => runner.BaselineAsync(3),
            _ => () => runner.DropAsync(),
        };

        MigrationException refused = (await run.Should().ThrowAsync<MigrationException>()).Which;

        refused.Should().BeOfType<MigrationException>();
        refused.Message.Should().Contain($"127.0.0.1:{Standby.Port}").And.Contain("is a standby (pg_is_in_recovery() is true)")
            .And.Contain("nothing was changed").And.Contain("Target Session Attributes=primary");
        await AssertUnchangedAsync(db, logger);
    }

    [TestCase(LockMode.Auto)]
    [TestCase(LockMode.Advisory)]
    public async Task On_a_standby_a_runner_that_would_wait_for_the_lock_is_refused_before_it_waits_and_listens(LockMode mode)
    {
        await using ThrowawayDatabase db = await AppliedUpTo2Async();
        // Another session on the standby holds the migration's advisory lock (allowed in recovery): a runner that got as
        // far as the lock would wait, LISTEN (refused during recovery) and poll.
        await using var holder = new NpgsqlConnection(Standby.GetConnectionString(db.Name));
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", holder))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = MigrationLockKey.Compute(db.Name, "public", "schema_migrations") });
            await take.ExecuteNonQueryAsync();
        }

        var logger = new RecordingLogger();
        var runner = FaultSupport.Runner(Standby.GetConnectionString(db.Name), Folder.Path, logger, o =>
        {
            o.LockMode = mode;
            o.LockTimeout = TimeSpan.FromSeconds(30);
        });
        var elapsed = Stopwatch.StartNew();

        MigrationException refused = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationException>()).Which;

        elapsed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "it is refused at once, not after LockTimeout (30 s)");
        refused.Message.Should().Contain("is a standby").And.NotContain("LISTEN").And.NotContain("Timed out");
        logger.Records.Should().NotContain(r => r.EventId.Name == "WaitingForLock" || r.EventId.Name == "WaitingForLease" || r.EventId.Name == "LockModeChosen",
            "no lock was chosen, let alone waited for");
        await AssertUnchangedAsync(db, logger);
    }

    [Test]
    public async Task On_a_standby_status_and_plan_work()
    {
        await using ThrowawayDatabase db = await AppliedUpTo2Async();
        var logger = new RecordingLogger();
        var runner = FaultSupport.Runner(Standby.GetConnectionString(db.Name), Folder.Path, logger);

        MigrationStatus status = await runner.GetStatusAsync();
        MigrationPlan plan = await runner.PlanAsync(null);

        status.CurrentVersion.Should().Be(2);
        status.Applied.Select(a => a.Version).Should().Equal(1, 2);
        status.Pending.Select(p => p.Version).Should().Equal(3);
        plan.Steps.Select(s => s.Version).Should().Equal(3);
        await AssertUnchangedAsync(db, logger);
    }

    [Test]
    public async Task A_multi_host_connection_string_that_lists_the_standby_first_migrates_the_primary()
    {
        await using ThrowawayDatabase db = await AppliedUpTo2Async();
        string multiHost = MultiHostConnectionString.Build([Standby.GetConnectionString(db.Name), Primary.GetConnectionString(db.Name)]);
        new NpgsqlConnectionStringBuilder(multiHost).Host.Should().StartWith($"127.0.0.1:{Standby.Port},", "the standby is listed first");
        var logger = new RecordingLogger();

        MigrationReport report = await FaultSupport.Runner(multiHost, Folder.Path, logger).UpAsync();

        report.Executed.Select(e => e.Version).Should().Equal(3);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1, false), (2, false), (3, false));
        (await Db.ScalarAsync<long[]>(db.ConnectionString, "SELECT array_agg(version ORDER BY version)::bigint[] FROM effects")).Should().Equal(1, 2, 3);
        await Standby.CatchUpAsync();
        (await Db.HistoryAsync(Standby.GetConnectionString(db.Name))).Should().HaveCount(3, "the standby replays what was written on the primary");
        logger.Records.Should().NotContain(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    private static MigrationFolder NewFolder() => new MigrationFolder()
        .Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL);\nINSERT INTO effects VALUES (1);")
        .Up(2, "index_concurrently", "-- migrationkit:no-transaction\nCREATE INDEX CONCURRENTLY effects_version ON effects (version);\nINSERT INTO effects VALUES (2);")
        .Up(3, "add_column", "ALTER TABLE effects ADD COLUMN note text;\nINSERT INTO effects VALUES (3);");

    /// <summary>A database on the primary with migrations 1 and 2 applied, replayed on the standby.</summary>
    private async Task<ThrowawayDatabase> AppliedUpTo2Async()
    {
        ThrowawayDatabase db = await Primary.CreateEmptyDatabaseAsync("mk_standby_");
        (await FaultSupport.Runner(db.ConnectionString, Folder.Path, new RecordingLogger()).GotoAsync(2)).Executed.Should().HaveCount(2);
        await Standby.CatchUpAsync();
        return db;
    }

    /// <summary>The primary (and so the standby) still at 1 and 2 with their effects, no lease table, and no warning logged.</summary>
    private async Task AssertUnchangedAsync(ThrowawayDatabase db, RecordingLogger logger)
    {
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1, false), (2, false));
        (await Db.ScalarAsync<long[]>(db.ConnectionString, "SELECT array_agg(version ORDER BY version)::bigint[] FROM effects")).Should().Equal(1, 2);
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().BeNull();
        await Standby.CatchUpAsync();
        (await Db.HistoryAsync(Standby.GetConnectionString(db.Name))).Should().Equal((1, false), (2, false));
        logger.Records.Should().NotContain(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning,
            "nothing went wrong to warn about: no lock to release (an unlock would NOTIFY, refused during recovery)");
    }
}
