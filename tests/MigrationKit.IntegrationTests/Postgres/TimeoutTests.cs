using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// statement_timeout and lock_timeout (DDL blocked behind a long transaction), and the client's command timeout: a
/// transactional migration retried to success, failing without retries, exhausted retries, cut by statement_timeout;
/// scripts outside a transaction (dirty, never retried); and a migration longer than the connection string's
/// Command Timeout. The tests that came from the fault suite keep its category, <c>Faults</c>.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TimeoutTests
{
    [Test]
    public async Task A_migration_blocked_by_an_open_transaction_succeeds_after_retries()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int);")
            .Up(2, "alter_items", "CREATE TABLE audit (id int);\nALTER TABLE items ADD COLUMN name text;");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(1);

        await using var blocker = await HoldTableAsync(db, "items");
        Task release = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await blocker.DisposeAsync();
        });
        var runner = Runners.For(db, folder.Path, o =>
        {
            o.DdlLockTimeout = TimeSpan.FromMilliseconds(200);
            o.DdlLockRetries = 5;
        });

        MigrationReport report = await runner.UpAsync();
        await release;

        report.Executed.Select(e => e.Version).Should().Equal(2);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'name'")).Should().Be(1);
    }

    [Test]
    public async Task Without_retries_the_blocked_migration_fails_naming_the_lock_timeout_and_leaves_nothing()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int);")
            .Up(2, "alter_items", "CREATE TABLE audit (id int);\nALTER TABLE items ADD COLUMN name text;");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(1);
        await using var blocker = await HoldTableAsync(db, "items");
        var runner = Runners.For(db, folder.Path, o =>
        {
            o.DdlLockTimeout = TimeSpan.FromMilliseconds(200);
            o.DdlLockRetries = 0;
        });

        Func<Task> up = () => runner.UpAsync();

        MigrationFailedException failure = (await up.Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.SqlState.Should().Be("55P03");
        failure.Line.Should().Be(2);
        failure.Message.Should().Contain("lock_timeout").And.Contain("200 ms").And.Contain(nameof(MigrationOptions.DdlLockTimeout)).And.Contain(nameof(MigrationOptions.DdlLockRetries));
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("audit");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
    }

    [Test]
    public async Task A_statement_timeout_fails_the_migration_naming_the_setting()
    {
        using var folder = new MigrationFolder().Up(1, "slow", "CREATE TABLE t (id int);\nSELECT pg_sleep(5);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path, o => o.StatementTimeout = TimeSpan.FromMilliseconds(300));

        Func<Task> up = () => runner.UpAsync();

        MigrationFailedException failure = (await up.Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.SqlState.Should().Be("57014");
        failure.Message.Should().Contain("statement_timeout").And.Contain("300 ms");
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("t");
    }

    [Test]
    [Category("Faults")]
    public async Task A_statement_timeout_in_a_script_outside_a_transaction_leaves_it_dirty_and_names_the_setting()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int);")
            .Up(2, "index_items", "-- migrationkit:no-transaction\nCREATE TABLE side (id int);\nSELECT pg_sleep(5);\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path, o => o.StatementTimeout = TimeSpan.FromMilliseconds(300));

        MigrationFailedException failure = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationFailedException>()).Which;

        failure.SqlState.Should().Be("57014");
        failure.Line.Should().Be(3);
        failure.IsConnectionLost.Should().BeFalse();
        failure.Message.Should().Contain("statement_timeout (300 ms, StatementTimeout)").And.Contain("dirty at version 2");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false), (2L, true));
        (await Db.TablesAsync(db.ConnectionString)).Should().Contain("side", "the statement before the timeout ran outside a transaction");
        (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<DirtyDatabaseException>()).Which.Version.Should().Be(2);
    }

    [Test]
    [Category("Faults")]
    public async Task A_lock_timeout_in_a_script_outside_a_transaction_is_not_retried_and_says_so()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int);")
            .Up(2, "alter_items", "-- migrationkit:no-transaction\nALTER TABLE items ADD COLUMN name text;\nCREATE INDEX CONCURRENTLY items_name ON items (name);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(1);
        await using NpgsqlConnection blocker = await HoldTableAsync(db, "items");
        var logger = new RecordingLogger();
        var runner = FaultSupport.Runner(db.ConnectionString, folder.Path, logger, o =>
        {
            o.DdlLockTimeout = TimeSpan.FromMilliseconds(200);
            o.DdlLockRetries = 3;
        });

        MigrationFailedException failure = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationFailedException>()).Which;

        failure.SqlState.Should().Be("55P03");
        failure.Line.Should().Be(2);
        failure.Message.Should().Contain("lock_timeout (200 ms, DdlLockTimeout)").And.Contain("not retried").And.Contain("dirty at version 2");
        TestContext.Out.WriteLine(failure.Message);
        logger.Records.Should().NotContain(r => r.EventId.Name == "DdlLockRetry", "only a transactional migration can be retried whole");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false), (2L, true));
    }

    [Test]
    [Category("Faults")]
    public async Task Exhausted_lock_timeout_retries_roll_back_every_attempt_and_say_how_many_were_made()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int);")
            .Up(2, "alter_items", "CREATE TABLE audit (id int);\nINSERT INTO audit VALUES (1);\nALTER TABLE items ADD COLUMN name text;");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(1);
        await using NpgsqlConnection blocker = await HoldTableAsync(db, "items");
        var logger = new RecordingLogger();
        var runner = FaultSupport.Runner(db.ConnectionString, folder.Path, logger, o =>
        {
            o.DdlLockTimeout = TimeSpan.FromMilliseconds(100);
            o.DdlLockRetries = 2;
        });

        MigrationFailedException failure = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationFailedException>()).Which;

        failure.SqlState.Should().Be("55P03");
        failure.Line.Should().Be(3);
        failure.Message.Should().Contain("retried 2 time(s) (DdlLockRetries = 2)").And.Contain("Nothing of it was applied");
        logger.Records.Count(r => r.EventId.Name == "DdlLockRetry").Should().Be(2);
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("audit", "every attempt was rolled back");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
    }

    [Test]
    [Category("Faults")]
    public async Task A_migration_longer_than_the_connection_strings_command_timeout_still_runs_to_the_end()
    {
        // Npgsql's Command Timeout (30 s by default) is for queries; a migration's only limit is statement_timeout
        // (MigrationOptions.StatementTimeout), which defaults to none. An index build may take an hour.
        using var folder = new MigrationFolder()
            .Up(1, "slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(2.5);\n")
            .Up(2, "slow_outside", "-- migrationkit:no-transaction\nCREATE TABLE slow_outside (id int);\nSELECT pg_sleep(2.5);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { CommandTimeout = 1 }.ConnectionString;

        MigrationReport report = await FaultSupport.Runner(connectionString, folder.Path, new RecordingLogger()).UpAsync();

        report.Executed.Select(e => e.Version).Should().Equal(1, 2);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false), (2L, false));
    }

    /// <summary>An open transaction that has read the table: ALTER TABLE waits for it.</summary>
    private static async Task<NpgsqlConnection> HoldTableAsync(ThrowawayDatabase db, string table)
    {
        var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"BEGIN; SELECT count(*) FROM {table};", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }
}
