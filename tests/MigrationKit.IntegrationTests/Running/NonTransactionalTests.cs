using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Running;

[Parallelizable(ParallelScope.All)]
public sealed class NonTransactionalTests
{
    [Test]
    public async Task A_no_transaction_directive_runs_create_index_concurrently()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int, name text);")
            .Up(2, "index_items", "-- migrationkit:no-transaction\nCREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        MigrationReport report = await Runners.For(db, folder.Path).UpAsync();

        report.Executed.Select(e => e.RanOutsideTransaction).Should().Equal(false, true);
        (await Db.ScalarAsync<bool>(db.ConnectionString, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")).Should().BeTrue();
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false), (2L, false));
    }

    [Test]
    public async Task A_bare_create_unique_index_concurrently_without_directive_runs_outside_a_transaction()
    {
        // golang-migrate's own example folder has such a file.
        using var folder = new MigrationFolder()
            .Up(1, "create_users", "CREATE TABLE users (user_id integer UNIQUE, name varchar(40), email varchar(40));", "DROP TABLE users;")
            .Up(2, "add_email_index", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_index ON users (email);", "DROP INDEX IF EXISTS users_email_index;");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);

        MigrationReport report = await runner.UpAsync();

        report.Executed[1].RanOutsideTransaction.Should().BeTrue();
        (await Db.ScalarAsync<bool>(db.ConnectionString, "SELECT indisunique AND indisvalid FROM pg_index WHERE indexrelid = 'users_email_index'::regclass")).Should().BeTrue();
        (await runner.ValidateAsync()).Problems.Should().Contain(p => p.Code == ValidationCode.RunsOutsideTransaction && p.Version == 2 && p.Severity == ValidationSeverity.Info);
    }

    [Test]
    public async Task A_failed_non_transactional_migration_leaves_the_database_dirty_until_forced()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int, name text);\nINSERT INTO items VALUES (1, 'a'), (2, 'a');")
            .Up(2, "unique_names", "-- migrationkit:no-transaction\nCREATE TABLE side (id int);\nCREATE UNIQUE INDEX CONCURRENTLY items_name_key ON items (name);\n")
            .Up(3, "later", "CREATE TABLE later (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);

        Func<Task> up = () => runner.UpAsync();

        MigrationFailedException failure = (await up.Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.Version.Should().Be(2);
        failure.Line.Should().Be(3);
        failure.SqlState.Should().Be("23505");
        failure.Message.Should().Contain("dirty at version 2").And.Contain("items_name_key");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false), (2L, true));
        (await Db.TablesAsync(db.ConnectionString)).Should().Contain("side", "statements before the failing one stay when there is no transaction");

        DirtyDatabaseException dirty = (await up.Should().ThrowAsync<DirtyDatabaseException>()).Which;
        dirty.Version.Should().Be(2);
        dirty.Origin.Should().EndWith("002_unique_names.up.sql");
        dirty.InvalidIndexes.Should().Equal("public.items_name_key");
        dirty.Message.Should().Contain("force 2").And.Contain("force 1").And.Contain("DROP INDEX CONCURRENTLY public.items_name_key");
        (await runner.GetStatusAsync()).IsDirty.Should().BeTrue();

        // Repair by hand: drop the invalid index and the half-made table, and record that 2 did not happen.
        await Db.ExecuteAsync(db.ConnectionString, "DROP INDEX items_name_key; DROP TABLE side; DELETE FROM items WHERE id = 2;");
        await runner.ForceAsync(1);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));

        MigrationReport report = await runner.UpAsync();
        report.Executed.Select(e => e.Version).Should().Equal(2, 3);
        (await Db.HistoryAsync(db.ConnectionString)).Should().OnlyContain(h => !h.Dirty).And.HaveCount(3);
    }

    [Test]
    public async Task Force_to_the_dirty_version_records_it_as_applied()
    {
        using var folder = new MigrationFolder()
            .Up(1, "fails", "-- migrationkit:no-transaction\nCREATE TABLE done_part (id int);\nSELECT 1/0;\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);
        await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationFailedException>();

        await runner.ForceAsync(1);

        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
        (await runner.UpAsync()).Executed.Should().BeEmpty();
    }
}
