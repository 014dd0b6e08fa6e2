using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using MigrationKit.Testing.Internal;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// One runner through a real transaction-mode PgBouncer: which lock <c>Auto</c> takes, what is refused before anything
/// runs (the advisory lock behind a pooler, a script outside a transaction that would need session state), and that
/// nothing a run sets, nor what a script sets, stays on a pooled server connection. Runner connections go through the
/// pooler without Npgsql's own pool, whose DISCARD ALL on reuse would hide a leak.
/// </summary>
[TestFixture]
[Category("Topology")]
[Parallelizable(ParallelScope.Children)]
public sealed class PoolerTests
{
    private static readonly string[] Settings =
        ["statement_timeout", "lock_timeout", "client_connection_check_interval", "search_path", "work_mem"];

    private PgBouncer? _pooler;

    private PgBouncer Pooler => _pooler!;

    [OneTimeSetUp]
    public async Task StartPoolerAsync()
    {
        await TopologySupport.RequirePgBouncerAsync();
        _pooler = await TopologySupport.StartPoolerAsync();
    }

    [OneTimeTearDown]
    public async Task StopPoolerAsync()
    {
        if (_pooler is not null)
        {
            await _pooler.DisposeAsync();
        }
    }

    [Test]
    public async Task Through_transaction_pooling_Auto_takes_the_lease()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = SmallFolder();
        var logger = new RecordingLogger();

        MigrationReport report = await FaultSupport.Runner(Pooler.GetConnectionString(db.Name, pooling: false), folder.Path, logger).UpAsync();

        report.Executed.Should().HaveCount(3);
        LogRecord chosen = logger.Records.Should().ContainSingle(r => r.EventId.Id == 2005).Which;
        chosen.EventId.Name.Should().Be("LockModeChosen");
        chosen.Message.Should().Contain("migration lease in \"public\".\"schema_migrations_lock\"").And.Contain("LockMode = Auto: a pooler answers");
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().Be(0, "the lease table was made, and the lease released");
        (await TopologySupport.AdvisoryLocksAsync(db.ConnectionString)).Should().Be(0);
    }

    [Test]
    public async Task On_a_direct_connection_Auto_takes_the_advisory_lock()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = SmallFolder();
        var logger = new RecordingLogger();

        MigrationReport report = await FaultSupport.Runner(TopologySupport.Unpooled(db.ConnectionString), folder.Path, logger).UpAsync();

        report.Executed.Should().HaveCount(3);
        logger.Records.Should().ContainSingle(r => r.EventId.Id == 2005).Which.Message
            .Should().Contain("advisory lock").And.Contain("LockMode = Auto: a direct connection");
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().BeNull("no lease table is made on a direct connection");
        (await TopologySupport.AdvisoryLocksAsync(db.ConnectionString)).Should().Be(0);
    }

    [Test]
    public async Task Through_transaction_pooling_LockMode_Advisory_is_refused_before_anything_runs_naming_Lease_and_Auto()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = SmallFolder();
        var runner = FaultSupport.Runner(Pooler.GetConnectionString(db.Name, pooling: false), folder.Path, new RecordingLogger(), o => o.LockMode = LockMode.Advisory);

        MigrationException refused = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationException>()).Which;

        refused.Should().BeOfType<MigrationException>("it is a refusal of the configuration, not a failed script or a lost connection");
        refused.Message.Should().Contain("LockMode is Advisory").And.Contain("pooler").And.Contain("Nothing was changed")
            .And.Contain("LockMode = Lease").And.Contain("Auto");
        await AssertNothingRanAsync(db, expectLeaseTable: false);
    }

    [Test]
    public async Task Through_transaction_pooling_a_run_with_timeouts_leaves_every_server_connection_with_the_server_defaults()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = SettingsFolder();
        string[] defaults = await DirectSettingsAsync(db);
        var runner = FaultSupport.Runner(Pooler.GetConnectionString(db.Name, pooling: false), folder.Path, new RecordingLogger(), o =>
        {
            o.StatementTimeout = TimeSpan.FromMilliseconds(1500);
            o.DdlLockTimeout = TimeSpan.FromMilliseconds(1200);
        });

        MigrationReport report = await runner.UpAsync();

        report.Executed.Should().HaveCount(4);
        // The run did set them, in every migration, and a script's own SET lasted until its migration ended.
        var inRun = await SeenAsync(db);
        inRun.Should().Equal(
            (1, "1500ms", "1200ms", "1s"),
            (2, "1500ms", "1200ms", "1s"),
            (3, "7777ms", "1200ms", "1s"),
            (4, "1500ms", "1200ms", "1s"));
        defaults[0].Should().Be("0", "the server default statement_timeout of the test cluster");

        (IReadOnlyList<(int Pid, string[] Values)> seen, IReadOnlyList<int> existing) = await TopologySupport.PooledSettingsAsync(Pooler, db.Name, Settings);

        existing.Should().NotBeEmpty();
        seen.Select(s => s.Pid).Should().Contain(existing, "every server connection the run could have used is checked");
        IReadOnlyList<int> runPids = await Db.ScalarAsync<int[]>(db.ConnectionString, "SELECT array_agg(DISTINCT pid) FROM seen");
        existing.Should().Contain(runPids, "the server connections the migrations ran on are still in the pool");
        foreach ((int pid, string[] values) in seen)
        {
            values.Should().Equal(defaults, $"server connection {pid} has the server's defaults for {string.Join(", ", Settings)}");
        }
    }

    [TestCase("StatementTimeout")]
    [TestCase("DdlLockTimeout")]
    [TestCase("a SET in the script")]
    public async Task Through_transaction_pooling_a_script_outside_a_transaction_that_needs_session_state_is_refused_before_anything_runs(string what)
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using MigrationFolder folder = new MigrationFolder()
            .Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL);\nINSERT INTO effects VALUES (1);")
            .Up(2, "index_concurrently", "-- migrationkit:no-transaction\n" +
                (what == "a SET in the script" ? "SET maintenance_work_mem = '256MB';\n" : string.Empty) +
                "CREATE INDEX CONCURRENTLY effects_version ON effects (version);\nINSERT INTO effects VALUES (2);");
        var runner = FaultSupport.Runner(Pooler.GetConnectionString(db.Name, pooling: false), folder.Path, new RecordingLogger(), o =>
        {
            o.StatementTimeout = what == "StatementTimeout" ? TimeSpan.FromSeconds(5) : null;
            o.DdlLockTimeout = what == "DdlLockTimeout" ? TimeSpan.FromSeconds(5) : null;
        });

        MigrationValidationException refused = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationValidationException>()).Which;

        ValidationProblem problem = refused.Problems.Should().ContainSingle().Which;
        problem.Code.Should().Be(ValidationCode.PoolerIncompatible);
        problem.Version.Should().Be(2);
        problem.Origin.Should().EndWith("002_index_concurrently.up.sql");
        refused.Message.Should().Contain("runs outside a transaction").And.Contain("pooler").And.Contain("direct connection");
        if (what == "a SET in the script")
        {
            refused.Message.Should().Contain("SET maintenance_work_mem");
            problem.Line.Should().Be(2);
        }
        else
        {
            refused.Message.Should().Contain(what);
        }

        await AssertNothingRanAsync(db, expectLeaseTable: true);
    }

    /// <summary>No history, no migration's effect, no lease and no advisory lock left: nothing ran.</summary>
    private static async Task AssertNothingRanAsync(ThrowawayDatabase db, bool expectLeaseTable)
    {
        (await TopologySupport.ExistsAsync(db.ConnectionString, "public.schema_migrations")).Should().BeFalse("nothing was recorded");
        (await TopologySupport.ExistsAsync(db.ConnectionString, "public.effects")).Should().BeFalse("no migration ran, the first (transactional) one neither");
        (await TopologySupport.LeaseRowsAsync(db.ConnectionString)).Should().Be(expectLeaseTable ? 0 : null);
        (await TopologySupport.AdvisoryLocksAsync(db.ConnectionString)).Should().Be(0);
    }

    private static MigrationFolder SmallFolder() => new MigrationFolder()
        .Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL);\nINSERT INTO effects VALUES (1);")
        .Up(2, "index_concurrently", "-- migrationkit:no-transaction\nCREATE INDEX CONCURRENTLY effects_version ON effects (version);\nINSERT INTO effects VALUES (2);")
        .Up(3, "add_column", "ALTER TABLE effects ADD COLUMN note text;\nINSERT INTO effects VALUES (3);");

    /// <summary>Each migration records the settings it ran with; the third changes some itself, as scripts do.</summary>
    private static MigrationFolder SettingsFolder()
    {
        const string record = "INSERT INTO seen VALUES ({0}, current_setting('statement_timeout'), current_setting('lock_timeout'), current_setting('client_connection_check_interval'), pg_backend_pid());";
        return new MigrationFolder()
            .Up(1, "create_seen", "CREATE TABLE seen (version int, statement_timeout text, lock_timeout text, check_interval text, pid int);\n" + string.Format(null, record, 1))
            .Up(2, "create_t", "CREATE TABLE t (id int);\n" + string.Format(null, record, 2))
            .Up(3, "script_settings", "SET statement_timeout = '7777ms';\nSET search_path = pg_catalog, public;\nSET work_mem = '7MB';\n" + string.Format(null, record, 3))
            .Up(4, "after_script_settings", "CREATE TABLE u (id int);\n" + string.Format(null, record, 4));
    }

    private static async Task<List<(int, string, string, string)>> SeenAsync(ThrowawayDatabase db)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT version, statement_timeout, lock_timeout, check_interval FROM seen ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    /// <summary>The settings a new session on the server gets.</summary>
    private static async Task<string[]> DirectSettingsAsync(ThrowawayDatabase db)
    {
        await using var connection = new Npgsql.NpgsqlConnection(TopologySupport.Unpooled(db.ConnectionString));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT " + string.Join(", ", Settings.Select(s => $"current_setting('{s}')")), connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [.. Settings.Select((_, i) => reader.GetString(i))];
    }
}
