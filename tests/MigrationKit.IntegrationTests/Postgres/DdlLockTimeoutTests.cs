using MigrationKit.Testing;
using MigrationKit.IntegrationTests;
using MigrationKit.IntegrationTests.Support;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

[Parallelizable(ParallelScope.All)]
public sealed class DdlLockTimeoutTests
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
