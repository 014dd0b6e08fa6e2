using MigrationKit.IntegrationTests.Support;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>The Planner sample's migrations, as embedded in its assembly: every down script reverses its up script.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class PlannerSampleTests
{
    private static EmbeddedResourceMigrationSource Embedded => new(typeof(Program).Assembly, "Migrations");

    [Test]
    public async Task The_Planner_embeds_its_ten_migrations_each_with_a_down_script_as_the_files_on_disk()
    {
        IReadOnlyList<Migration> migrations = await Embedded.LoadAsync();
        IReadOnlyList<Migration> files = await new FileSystemMigrationSource(MigrationFolder.PlannerMigrations).LoadAsync();

        migrations.Select(m => m.Version).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        migrations.Select(m => m.Description).Should().Equal(
            "create_projects_table", "create_tasks_table", "create_steps_table", "create_disputes_table", "create_audit_logs_table",
            "add_indexes", "add_constraints", "create_functions", "create_triggers", "seed_data");
        migrations.Should().OnlyContain(m => m.Down != null);
        migrations.Select(m => m.Up.Checksum).Should().Equal(files.Select(m => m.Up.Checksum));
        migrations.Select(m => m.Down!.Checksum).Should().Equal(files.Select(m => m.Down!.Checksum));
        migrations.Should().OnlyContain(m => !m.Up.RunsOutsideTransaction && !m.Down!.RunsOutsideTransaction);
    }

    [Test]
    public async Task Up_down_to_zero_and_up_again_leaves_the_same_schema_and_seed_data()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        MigrationRunner runner = Runners.For(db, Embedded);

        await runner.UpAsync();
        List<string> first = await Db.CatalogAsync(db.ConnectionString);
        await runner.GotoAsync(MigrationVersion.None);
        List<string> empty = await Db.CatalogAsync(db.ConnectionString);
        List<string> tablesAtZero = await Db.TablesAsync(db.ConnectionString);
        await runner.UpAsync();
        List<string> second = await Db.CatalogAsync(db.ConnectionString);

        first.Should().Contain(l => l.StartsWith("trigger projects_audit", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("function write_audit_log", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("index audit_logs_changes_idx", StringComparison.Ordinal))
            .And.Contain(l => l.Contains("disputes_resolution_check", StringComparison.Ordinal));
        empty.Should().BeEmpty("down to 0 removes every object the migrations made");
        tablesAtZero.Should().Equal("schema_migrations");
        second.Should().Equal(first);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM projects WHERE name = 'MCP-Planner demo'")).Should().Be(1);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM tasks")).Should().Be(3);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM steps")).Should().Be(6);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM audit_logs WHERE actor = 'seed'")).Should().Be(10);
    }

    [Test]
    public async Task Each_down_script_restores_exactly_the_schema_before_its_up_script()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        MigrationRunner runner = Runners.For(db, Embedded);

        for (long version = 1; version <= 10; version++)
        {
            List<string> before = await Db.CatalogAsync(db.ConnectionString);
            await runner.UpAsync(1);
            List<string> applied = await Db.CatalogAsync(db.ConnectionString);
            await runner.DownAsync(1);
            (await Db.CatalogAsync(db.ConnectionString)).Should().Equal(before, $"down {version} reverses up {version}");
            await runner.UpAsync(1);
            (await Db.CatalogAsync(db.ConnectionString)).Should().Equal(applied, $"up {version} runs again after its down");
        }

        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10);
    }

    [Test]
    public async Task Down_from_the_seed_data_leaves_no_rows_behind()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        MigrationRunner runner = Runners.For(db, Embedded);
        await runner.UpAsync();

        await runner.DownAsync(1);

        foreach (string table in new[] { "projects", "tasks", "steps", "disputes", "audit_logs" })
        {
            (await Db.ScalarAsync<long>(db.ConnectionString, $"SELECT count(*) FROM {table}")).Should().Be(0, $"{table} is empty at version 9");
        }
    }

    [Test]
    public async Task The_triggers_keep_updated_at_current_and_write_the_audit_log()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, Embedded).UpAsync();

        await Db.ExecuteAsync(db.ConnectionString, """
            BEGIN;
            SET LOCAL planner.actor = 'test';
            UPDATE tasks SET status = 'done' WHERE title = 'Ship the service';
            COMMIT;
            """);

        (await Db.ScalarAsync<bool>(db.ConnectionString, "SELECT updated_at > created_at FROM tasks WHERE title = 'Ship the service'")).Should().BeTrue();
        (await Db.ScalarAsync<string>(db.ConnectionString,
            "SELECT changes->'new'->>'status' FROM audit_logs WHERE actor = 'test' AND entity = 'tasks' AND action = 'update'")).Should().Be("done");
    }
}
