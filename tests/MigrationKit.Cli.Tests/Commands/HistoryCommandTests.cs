using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

[Parallelizable(ParallelScope.All)]
public sealed class HistoryCommandTests
{
    private static readonly string Planner = MigrationFolder.PlannerMigrations;

    [Test]
    public async Task Force_after_a_failed_non_transactional_migration_clears_the_dirty_state_so_up_can_run_again()
    {
        using var folder = new MigrationFolder()
            .Up(1, "projects", "CREATE TABLE projects (id int);\n")
            .Up(2, "index_projects", "-- migrationkit:no-transaction\nCREATE TABLE half_done (id int);\nSELECT 1 / 0;\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult failed = await db.RunAsync("up", "--source", folder.Path);
        CliResult refused = await db.RunAsync("up", "--source", folder.Path);
        List<(long, bool)> dirty = await db.HistoryAsync();

        failed.ExitCode.Should().Be(1, failed.ToString());
        failed.Error.Should().Contain($"{folder.File("002_index_projects.up.sql")}:3:1: error 22012: division by zero")
            .And.Contain("the database is now dirty at version 2");
        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Error.Should().Contain("The database is dirty at version 2");
        dirty.Should().Equal((1L, false), (2L, true));

        // Repaired by hand: the half-made table goes, the script is fixed, and the history is told where it stands.
        await db.ExecuteAsync("DROP TABLE half_done");
        folder.Write("002_index_projects.up.sql", "-- migrationkit:no-transaction\nCREATE TABLE half_done (id int);\n");
        CliResult forced = await db.RunAsync("force", "1", "--source", folder.Path);
        List<(long, bool)> afterForce = await db.HistoryAsync();
        CliResult up = await db.RunAsync("up", "--source", folder.Path);

        forced.ExitCode.Should().Be(0, forced.ToString());
        forced.Out.Should().Contain("Forced \"public\".\"schema_migrations\" to version 1");
        afterForce.Should().Equal((1L, false));
        up.ExitCode.Should().Be(0, up.ToString());
        (await db.HistoryAsync()).Should().Equal((1L, false), (2L, false));
    }

    [Test]
    public async Task Baseline_adopts_an_existing_schema_so_up_has_nothing_left_to_run()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);
        await db.ExecuteAsync("DROP TABLE schema_migrations");

        CliResult baseline = await db.RunAsync("baseline", "10", "--source", Planner);
        CliResult up = await db.RunAsync("up", "--source", Planner);

        baseline.ExitCode.Should().Be(0, baseline.ToString());
        baseline.Out.Should().Contain("Baselined \"public\".\"schema_migrations\" at version 10");
        (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        up.Out.Should().Contain("Nothing to do: the database is at version 10.");
    }

    [Test]
    public async Task Baseline_refuses_a_database_that_already_has_history()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "2", "--source", Planner);

        CliResult result = await db.RunAsync("baseline", "5", "--source", Planner);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("already records 2 version(s)");
        (await db.VersionsAsync()).Should().Equal(1, 2);
    }

    [Test]
    public async Task Drop_asks_first_and_an_answer_of_no_keeps_every_table()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);
        List<string> before = await db.TablesAsync();

        CliResult result = await CliProcess.RunAsync(db.Start(input: "no\n"), "drop");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain($"This drops every object of schema \"public\" in database \"{db.Name}\"").And.Contain("Continue? [y/N]");
        (await db.TablesAsync()).Should().Equal(before).And.Contain("projects");
    }

    [Test]
    public async Task Drop_answered_yes_empties_the_schema_history_included()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);

        CliResult result = await CliProcess.RunAsync(db.Start(input: "yes\n"), "drop");

        result.ExitCode.Should().Be(0, result.ToString());
        (await db.TablesAsync()).Should().BeEmpty();
        (await db.ScalarAsync<long>("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace")).Should().Be(0);
        result.Out.Should().Contain("Dropped every object of schema \"public\"");
    }

    [Test]
    public async Task Drop_with_yes_does_not_ask_and_keeps_other_schemas()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);
        await db.ExecuteAsync("CREATE SCHEMA keep; CREATE TABLE keep.t (id int)");

        CliResult result = await db.RunAsync("drop", "--yes");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().NotContain("Continue?");
        (await db.TablesAsync()).Should().BeEmpty();
        (await db.TablesAsync("keep")).Should().Equal("t");
    }
}
