using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// The server ends the runner's session (pg_terminate_backend: SQLSTATE 57P01, then the socket closes, as in a failover
/// or an administrator's kill) at each place a run can be: inside a script, inside the history write, between
/// migrations, while polling for the lock, and between taking the lock and reading the history. Each time the error
/// says the connection was lost, nothing is half-applied, the lock goes with the session, and the next run completes
/// (or, for a script outside a transaction, refuses as dirty until forced).
/// </summary>
[TestFixture]
[Category("Faults")]
[Parallelizable(ParallelScope.All)]
public sealed class ConnectionDropFaultTests
{
    private const string Effects = "CREATE TABLE effects (version int NOT NULL);\n";

    [Test]
    public async Task Dropped_inside_a_transactional_script_the_migration_fails_as_connection_lost_and_is_rolled_back()
    {
        using var folder = new MigrationFolder()
            .Up(1, "effects", Effects + "INSERT INTO effects VALUES (1);")
            .Up(2, "slow", "CREATE TABLE m_2 (id int);\nINSERT INTO effects VALUES (2);\nSELECT pg_sleep(30);\n")
            .Up(3, "after", "INSERT INTO effects VALUES (3);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-in-script";
        var logger = new RecordingLogger();
        Task<MigrationReport> run = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, logger).UpAsync();

        int pid = await FaultSupport.SessionPidAsync(app, "%pg_sleep(30)%", "active", "PgSleep");
        await FaultSupport.TerminateAsync(pid);

        MigrationFailedException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.IsConnectionLost.Should().BeTrue();
        failure.Version.Should().Be(2);
        failure.Line.Should().Be(3, "the statement running when the connection went is the pg_sleep on line 3");
        failure.SqlState.Should().Be("57P01");
        failure.Message.Should().StartWith("The connection to the server was lost while applying migration 2 (slow)")
            .And.Contain("002_slow.up.sql:3:1").And.Contain("nothing is half-applied");
        TestContext.Out.WriteLine(failure.Message);
        await AssertAfterDropAsync(db, app, history: [1], tables: ["effects"]);
        folder.Up(2, "slow", "CREATE TABLE m_2 (id int);\nINSERT INTO effects VALUES (2);\n"); // not applied, so it may change
        (await FaultSupport.Runner(db.ConnectionString, folder.Path, new RecordingLogger()).UpAsync()).Executed.Select(e => e.Version).Should().Equal(2, 3);
    }

    [Test]
    public async Task Dropped_during_the_history_write_of_a_transactional_migration_the_script_and_its_row_roll_back_together()
    {
        using var folder = new MigrationFolder()
            .Up(1, "slow_history", Effects + SlowHistoryTrigger(3, "INSERT"))
            .Up(2, "two", "CREATE TABLE m_2 (id int);\nINSERT INTO effects VALUES (2);")
            .Up(3, "three", "CREATE TABLE m_3 (id int);\nINSERT INTO effects VALUES (3);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-in-history-tx";
        Task<MigrationReport> run = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, new RecordingLogger()).UpAsync();

        int pid = await FaultSupport.SessionPidAsync(app, "INSERT INTO \"public\".\"schema_migrations\"%", "active", "PgSleep");
        await FaultSupport.TerminateAsync(pid);

        MigrationFailedException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.IsConnectionLost.Should().BeTrue();
        failure.Version.Should().Be(3);
        failure.Line.Should().BeNull("no statement of the script was running: the history row was being written");
        failure.Message.Should().StartWith("The connection to the server was lost while applying migration 3 (three)")
            .And.Contain("history");
        TestContext.Out.WriteLine(failure.Message);
        await AssertAfterDropAsync(db, app, history: [1, 2], tables: ["effects", "m_2"]);
        (await FaultSupport.Runner(db.ConnectionString, folder.Path, new RecordingLogger()).UpAsync()).Executed.Select(e => e.Version).Should().Equal(3);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM effects WHERE version = 3")).Should().Be(1);
    }

    [Test]
    public async Task Dropped_while_clearing_the_dirty_flag_of_a_non_transactional_migration_it_stays_dirty_and_the_error_says_all_of_it_ran()
    {
        using var folder = new MigrationFolder()
            .Up(1, "slow_history", Effects + SlowHistoryTrigger(2, "UPDATE"))
            .Up(2, "index", "-- migrationkit:no-transaction\nCREATE TABLE m_2 (id int);\nCREATE INDEX CONCURRENTLY m_2_id ON m_2 (id);\nINSERT INTO effects VALUES (2);\n")
            .Up(3, "three", "INSERT INTO effects VALUES (3);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-clearing-dirty";
        var runner = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, new RecordingLogger());
        Task<MigrationReport> run = runner.UpAsync();

        int pid = await FaultSupport.SessionPidAsync(app, "UPDATE \"public\".\"schema_migrations\"%", "active", "PgSleep");
        await FaultSupport.TerminateAsync(pid);

        MigrationFailedException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.IsConnectionLost.Should().BeTrue();
        failure.Version.Should().Be(2);
        failure.Message.Should().StartWith("The connection to the server was lost while applying migration 2 (index)")
            .And.Contain("every statement of the script ran").And.Contain("force 2");
        TestContext.Out.WriteLine(failure.Message);
        await AssertAfterDropAsync(db, app, history: [1, 2], tables: ["effects", "m_2"]);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false), (2L, true));

        DirtyDatabaseException dirty = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<DirtyDatabaseException>()).Which;
        dirty.Version.Should().Be(2);
        await runner.ForceAsync(2);
        (await runner.UpAsync()).Executed.Select(e => e.Version).Should().Equal(3);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM effects")).Should().Be(2, "2 and 3 ran once each (1 records none)");
    }

    [Test]
    public async Task Dropped_while_marking_a_non_transactional_migration_dirty_nothing_of_it_runs()
    {
        using var folder = new MigrationFolder()
            .Up(1, "slow_history", Effects + SlowHistoryTrigger(2, "INSERT"))
            .Up(2, "index", "-- migrationkit:no-transaction\nCREATE TABLE m_2 (id int);\nCREATE INDEX CONCURRENTLY m_2_id ON m_2 (id);\nINSERT INTO effects VALUES (2);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-marking-dirty";
        Task<MigrationReport> run = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, new RecordingLogger()).UpAsync();

        int pid = await FaultSupport.SessionPidAsync(app, "INSERT INTO \"public\".\"schema_migrations\"%", "active", "PgSleep");
        await FaultSupport.TerminateAsync(pid);

        MigrationFailedException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.IsConnectionLost.Should().BeTrue();
        failure.Version.Should().Be(2);
        failure.Message.Should().StartWith("The connection to the server was lost while applying migration 2 (index)")
            .And.Contain("before any statement of the script ran");
        TestContext.Out.WriteLine(failure.Message);
        await AssertAfterDropAsync(db, app, history: [1], tables: ["effects"]);
        (await FaultSupport.Runner(db.ConnectionString, folder.Path, new RecordingLogger()).UpAsync()).Executed.Select(e => e.Version).Should().Equal(2);
    }

    [Test]
    public async Task Dropped_inside_a_non_transactional_script_it_stays_dirty_with_the_statements_before_and_says_so()
    {
        using var folder = new MigrationFolder()
            .Up(1, "effects", Effects)
            .Up(2, "index", "-- migrationkit:no-transaction\nCREATE TABLE m_2 (id int);\nSELECT pg_sleep(30);\nCREATE INDEX CONCURRENTLY m_2_id ON m_2 (id);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-in-non-tx-script";
        var runner = FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, new RecordingLogger());
        Task<MigrationReport> run = runner.UpAsync();

        int pid = await FaultSupport.SessionPidAsync(app, "%pg_sleep(30)%", "active", "PgSleep");
        await FaultSupport.TerminateAsync(pid);

        MigrationFailedException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.IsConnectionLost.Should().BeTrue();
        failure.Line.Should().Be(3);
        failure.Message.Should().Contain("dirty at version 2").And.Contain("force 2");
        TestContext.Out.WriteLine(failure.Message);
        await AssertAfterDropAsync(db, app, history: [1, 2], tables: ["effects", "m_2"]);
        (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<DirtyDatabaseException>()).Which.Version.Should().Be(2);
    }

    [Test]
    public async Task Dropped_between_migrations_while_the_lock_is_held_the_next_migration_fails_as_connection_lost_and_nothing_is_half_applied()
    {
        using var folder = new MigrationFolder()
            .Up(1, "effects", Effects + "INSERT INTO effects VALUES (1);")
            .Up(2, "two", "CREATE TABLE m_2 (id int);\nINSERT INTO effects VALUES (2);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-between";
        var logger = new RecordingLogger();
        (Task reached, Action release) = logger.HoldAt("MigrationApplied");
        Task<MigrationReport> run = Task.Run(() => FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, logger).UpAsync());

        await reached.WaitAsync(TimeSpan.FromSeconds(30));
        int pid = await FaultSupport.SessionPidAsync(app, state: "idle");
        await FaultSupport.TerminateAsync(pid);
        await FaultSupport.WaitForSessionsToEndAsync(app);
        release();

        MigrationFailedException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.IsConnectionLost.Should().BeTrue();
        failure.Version.Should().Be(2);
        failure.Message.Should().StartWith("The connection to the server was lost while applying migration 2 (two)");
        TestContext.Out.WriteLine(failure.Message);
        await AssertAfterDropAsync(db, app, history: [1], tables: ["effects"]);
        (await FaultSupport.Runner(db.ConnectionString, folder.Path, new RecordingLogger()).UpAsync()).Executed.Select(e => e.Version).Should().Equal(2);
    }

    [Test]
    public async Task Dropped_while_polling_for_the_lock_the_runner_reports_a_lost_connection_not_a_driver_error()
    {
        using var folder = new MigrationFolder().Up(1, "effects", Effects);
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-polling";
        await using var holder = await LockHolder.TakeAsync(db, "mk-holder-polling");
        var logger = new RecordingLogger();
        (Task waiting, Action release) = logger.HoldAt("WaitingForLock");
        Task<MigrationReport> run = Task.Run(() => FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, logger).UpAsync());

        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        release();
        int pid = await FaultSupport.SessionPidAsync(app);
        await FaultSupport.TerminateAsync(pid);

        MigrationConnectionException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationConnectionException>()).Which;
        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("connection").And.Contain("lost").And.Contain("waiting for the migration lock").And.Contain(db.Name);
        failure.InnerException.Should().BeAssignableTo<Npgsql.NpgsqlException>();
        TestContext.Out.WriteLine(failure.Message);
        await FaultSupport.WaitForSessionsToEndAsync(app);
        (await Db.TablesAsync(db.ConnectionString)).Should().BeEmpty();
    }

    [Test]
    public async Task Dropped_after_taking_the_lock_before_reading_the_history_the_runner_reports_a_lost_connection()
    {
        using var folder = new MigrationFolder().Up(1, "effects", Effects);
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-after-lock";
        var logger = new RecordingLogger();
        (Task locked, Action release) = logger.HoldAt("LockAcquired");
        Task<MigrationReport> run = Task.Run(() => FaultSupport.Runner(FaultSupport.Tagged(db.ConnectionString, app), folder.Path, logger).UpAsync());

        await locked.WaitAsync(TimeSpan.FromSeconds(30));
        int pid = await FaultSupport.SessionPidAsync(app, state: "idle");
        await FaultSupport.TerminateAsync(pid);
        await FaultSupport.WaitForSessionsToEndAsync(app);
        release();

        MigrationConnectionException failure = (await FluentActions.Awaiting(() => run).Should().ThrowAsync<MigrationConnectionException>()).Which;
        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("lost").And.Contain("history");
        TestContext.Out.WriteLine(failure.Message);
        (await FaultSupport.AdvisoryLocksAsync(db)).Should().Be(0);
        (await FaultSupport.Runner(db.ConnectionString, folder.Path, new RecordingLogger()).UpAsync()).Executed.Should().HaveCount(1);
    }

    [Test]
    public async Task A_pooled_connection_the_server_ended_while_idle_does_not_fail_the_next_run()
    {
        using var folder = new MigrationFolder().Up(1, "effects", Effects);
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        const string app = "mk-drop-pooled";
        string connectionString = FaultSupport.Tagged(db.ConnectionString, app);
        await FaultSupport.Runner(connectionString, folder.Path, new RecordingLogger()).UpAsync();

        // The run's connection went back to Npgsql's pool; the server ends it there (a restart, a failover, an idle timeout).
        int pid = await FaultSupport.SessionPidAsync(app, state: "idle");
        await FaultSupport.TerminateAsync(pid);
        await FaultSupport.WaitForSessionsToEndAsync(app);
        folder.Up(2, "two", "INSERT INTO effects VALUES (2);");

        MigrationReport report = await FaultSupport.Runner(connectionString, folder.Path, new RecordingLogger()).UpAsync();

        report.Executed.Select(e => e.Version).Should().Equal(2);
    }

    /// <summary>
    /// A trigger on the history table that sleeps 30 s the first time <paramref name="operation"/> writes the row of
    /// <paramref name="version"/> (a sequence counts, so the rolled-back attempt still counts), so a test can end the session
    /// inside the history write.
    /// </summary>
    private static string SlowHistoryTrigger(int version, string operation) => $"""
        CREATE SEQUENCE history_sleeps;
        CREATE FUNCTION slow_history() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = '{operation}' AND NEW.version = {version} AND NOT (TG_OP = 'UPDATE' AND NEW.dirty) AND nextval('history_sleeps') = 1 THEN
                PERFORM pg_sleep(30);
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER slow_history BEFORE INSERT OR UPDATE ON public.schema_migrations FOR EACH ROW EXECUTE FUNCTION slow_history();

        """;

    /// <summary>After a drop: the session is gone, so is its lock, and the history and tables are exactly these.</summary>
    private static async Task AssertAfterDropAsync(ThrowawayDatabase db, string app, long[] history, string[] tables)
    {
        await FaultSupport.WaitForSessionsToEndAsync(app);
        (await FaultSupport.AdvisoryLocksAsync(db)).Should().Be(0, "the lock goes with the session");
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(history);
        (await Db.TablesAsync(db.ConnectionString)).Where(t => t != "schema_migrations").Should().BeEquivalentTo(tables);
        long effects = await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM effects WHERE version <> ALL($1)", history.Select(v => (int)v).ToArray());
        effects.Should().Be(0, "no migration without a history row left an effect");
    }
}
