using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

[Parallelizable(ParallelScope.All)]
public sealed class MigrateCommandTests
{
    private static readonly string Planner = MigrationFolder.PlannerMigrations;

    private static IEnumerable<(long Version, string Description)> PlannerMigrations() =>
        Directory.GetFiles(Planner, "*.up.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Select(name => (long.Parse(name![..3], System.Globalization.CultureInfo.InvariantCulture), name[4..^7]));

    [Test]
    public async Task Up_applies_every_pending_migration_and_shows_each_as_it_starts_and_ends_with_its_time()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await db.RunProcessAsync("up", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        result.Out.Should().Contain("Migrating \"public\".\"schema_migrations\": 10 script(s) to run, from version none to 10");
        foreach ((long version, string description) in PlannerMigrations())
        {
            result.Out.Should().MatchRegex($@"(?m)^  up +{version} {description} \.\.\.$");
            result.Out.Should().MatchRegex($@"(?m)^  up +{version} {description}  applied in [0-9.<]+ m?s$");
        }

        result.Out.Should().MatchRegex(@"Now at version 10 \(was none\): 10 migrations applied in [0-9.]+ m?s\.");
        result.Error.Should().BeEmpty();
    }

    [Test]
    public async Task Up_with_a_count_applies_only_the_next_ones()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult first = await db.RunAsync("up", "2", "--source", Planner);
        CliResult second = await db.RunAsync("--source", Planner, "up", "3");

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5);
        second.Out.Should().Contain("Now at version 5 (was 2): 3 migrations applied");
    }

    [Test]
    public async Task Scripts_that_create_and_select_types_of_their_own_run_though_the_tool_loads_no_types_from_the_database()
    {
        // The tool's data source knows only PostgreSQL's built-in types (it skips Npgsql's pg_type query): what a
        // script selects, of whatever type, is never read, so enums, composites, domains and ranges must not matter.
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder()
            .Up(1, "types", """
                CREATE TYPE mood AS ENUM ('ok', 'sad');
                CREATE TYPE pair AS (a int, b text);
                CREATE DOMAIN positive AS int CHECK (VALUE > 0);
                CREATE TABLE feelings (m mood, p pair, n positive, r int4range, tags text[], doc jsonb);
                INSERT INTO feelings VALUES ('ok', ROW(1, 'x'), 3, '[1,5)', '{a,b}', '{"k": 1}');
                SELECT m, p, n, r, tags, doc, ROW(m, p)::record FROM feelings;
                """, "DROP TABLE feelings; DROP DOMAIN positive; DROP TYPE pair; DROP TYPE mood;")
            .Up(2, "more_types", """
                -- migrationkit:no-transaction
                SELECT 'sad'::mood, (2, 'y')::pair;
                CREATE INDEX CONCURRENTLY feelings_m_idx ON feelings (m);
                """, "DROP INDEX feelings_m_idx;");

        CliResult up = await db.RunAsync("up", "--source", folder.Path);
        CliResult status = await db.RunAsync("status", "--json", "--source", folder.Path);
        CliResult down = await db.RunAsync("down", "--yes", "--source", folder.Path);

        up.ExitCode.Should().Be(0, up.ToString());
        status.ExitCode.Should().Be(0, status.ToString());
        down.ExitCode.Should().Be(0, down.ToString());
        (await db.VersionsAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task Up_with_nothing_pending_says_so()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);

        CliResult again = await db.RunAsync("up", "--source", Planner);

        again.ExitCode.Should().Be(0, again.ToString());
        again.Out.Should().Be("Nothing to do: the database is at version 10." + Environment.NewLine);
    }

    [Test]
    public async Task Down_with_a_count_reverts_the_newest_without_asking()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);

        CliResult result = await db.RunAsync("down", "1", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9);
        result.Out.Should().MatchRegex(@"(?m)^  down 10 seed_data  reverted in ");
        result.Out.Should().Contain("Now at version 9 (was 10): 1 migration reverted");
        result.Error.Should().NotContain("Continue?");
    }

    [Test]
    public async Task Down_without_a_count_asks_first_and_an_answer_of_no_changes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "3", "--source", Planner);

        CliResult result = await CliProcess.RunAsync(db.Start(input: "n\n"), "down", "--source", Planner);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain($"This reverts all 3 applied migrations of database \"{db.Name}\"")
            .And.Contain("Continue? [y/N] n")
            .And.Contain("Nothing was done.");
        (await db.VersionsAsync()).Should().Equal(1, 2, 3);
    }

    [Test]
    public async Task Down_without_a_count_answered_yes_reverts_everything()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);

        CliResult result = await CliProcess.RunAsync(db.Start(input: "y\n"), "down", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        (await db.VersionsAsync()).Should().BeEmpty();
        (await db.TablesAsync()).Should().Equal("schema_migrations");
        result.Out.Should().Contain("Now at version none (was 10): 10 migrations reverted");
    }

    [Test]
    public async Task Down_without_a_count_and_no_answer_on_a_closed_standard_input_changes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "2", "--source", Planner);

        CliResult result = await db.RunProcessAsync("down", "--source", Planner);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("No answer: standard input is closed").And.Contain("--yes");
        (await db.VersionsAsync()).Should().Equal(1, 2);
    }

    [Test]
    public async Task Down_with_yes_reverts_everything_without_asking()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);

        CliResult result = await db.RunAsync("down", "--yes", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().NotContain("Continue?");
        (await db.VersionsAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task Down_without_a_count_on_an_empty_history_has_nothing_to_ask()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await db.RunAsync("down", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("Nothing to revert");
        result.Error.Should().NotContain("Continue?");
    }

    [Test]
    public async Task Goto_moves_up_then_down_to_exactly_the_version_given()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult up = await db.RunAsync("goto", "5", "--source", Planner);
        List<long> afterUp = await db.VersionsAsync();
        CliResult down = await db.RunAsync("goto", "2", "--source", Planner);

        up.ExitCode.Should().Be(0, up.ToString());
        down.ExitCode.Should().Be(0, down.ToString());
        afterUp.Should().Equal(1, 2, 3, 4, 5);
        (await db.VersionsAsync()).Should().Equal(1, 2);
        down.Out.Should().Contain("Now at version 2 (was 5): 3 migrations reverted");
    }

    [Test]
    public async Task A_failing_statement_is_reported_on_standard_error_with_file_line_and_column_and_nothing_of_it_is_applied()
    {
        using var folder = new MigrationFolder()
            .Up(1, "projects", "CREATE TABLE projects (id int);\n")
            .Up(2, "bad_type", "CREATE TABLE tasks (\n  id int,\n  name txt\n);\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await db.RunProcessAsync("up", "--source", folder.Path);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain($"{folder.File("002_bad_type.up.sql")}:3:8: error 42704: type \"txt\" does not exist");
        result.Error.Should().Contain("Nothing of it was applied");
        result.Out.Should().MatchRegex(@"(?m)^  up +2 bad_type  failed$");
        (await db.VersionsAsync()).Should().Equal(1);
        (await db.TablesAsync()).Should().NotContain("tasks");
    }
}
