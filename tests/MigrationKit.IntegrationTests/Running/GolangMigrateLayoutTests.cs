using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;


namespace MigrationKit.IntegrationTests.Running;

/// <summary>The seed layout: the Planner's ten migrations wrapped in BEGIN; … COMMIT; as golang-migrate writes them.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class GolangMigrateLayoutTests
{
    private static readonly string[] TablesOfFive = ["audit_logs", "disputes", "projects", "schema_migrations", "steps", "tasks"];

    [Test]
    public async Task Up_down_goto_and_up_again_keep_status_and_tables_in_agreement()
    {
        using var folder = MigrationFolder.GolangMigrateStylePlanner();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);

        MigrationReport up = await runner.UpAsync();
        up.Executed.Select(e => e.Version).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        up.Executed.Should().OnlyContain(e => !e.RanOutsideTransaction, "the BEGIN/COMMIT wrapper is redundant, not a reason to leave the transaction");
        await ExpectAsync(db, runner, 10);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM steps")).Should().Be(6);

        MigrationReport down = await runner.DownAsync(3);
        down.Executed.Select(e => (e.Version, e.Direction)).Should().Equal((10, MigrationDirection.Down), (9, MigrationDirection.Down), (8, MigrationDirection.Down));
        await ExpectAsync(db, runner, 7);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_proc WHERE proname = 'write_audit_log'")).Should().Be(0);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM projects")).Should().Be(0);

        MigrationReport gotoFive = await runner.GotoAsync(5);
        gotoFive.Executed.Select(e => e.Version).Should().Equal(7, 6);
        await ExpectAsync(db, runner, 5);
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal(TablesOfFive);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_indexes WHERE indexname = 'tasks_status_idx'")).Should().Be(0);

        MigrationReport again = await runner.UpAsync();
        again.StartVersion.Should().Be(5);
        again.Executed.Select(e => e.Version).Should().Equal(6, 7, 8, 9, 10);
        await ExpectAsync(db, runner, 10);
    }

    [Test]
    public async Task A_wrapped_file_that_fails_half_way_leaves_nothing_behind_and_no_dirty_row()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_a", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n")
            .Up(2, "half_way", "BEGIN;\nCREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE c (id int);\nCOMMIT;\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);

        Func<Task> up = () => runner.UpAsync();

        var failure = (await up.Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.Version.Should().Be(2);
        failure.Line.Should().Be(4);
        failure.SqlState.Should().Be("42P01");
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("a", "schema_migrations");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
    }

    private static async Task ExpectAsync(ThrowawayDatabase db, IMigrationRunner runner, long version)
    {
        MigrationStatus status = await runner.GetStatusAsync();
        status.CurrentVersion.Should().Be(version);
        status.IsDirty.Should().BeFalse();
        status.Applied.Select(a => a.Version).Should().Equal(Enumerable.Range(1, (int)version).Select(v => (long)v));
        status.Pending.Select(p => p.Version).Should().Equal(Enumerable.Range((int)version + 1, 10 - (int)version).Select(v => (long)v));
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(status.Applied.Select(a => a.Version));

        var tables = await Db.TablesAsync(db.ConnectionString);
        string[] created = ["projects", "tasks", "steps", "disputes", "audit_logs"];
        for (int v = 1; v <= 5; v++)
        {
            tables.Contains(created[v - 1]).Should().Be(v <= version, $"table {created[v - 1]} belongs to version {v} and the database is at {version}");
        }
    }
}
