using System.Text.Json;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

[Parallelizable(ParallelScope.All)]
public sealed class ValidateCommandTests
{
    [Test]
    public async Task Without_a_database_the_folder_alone_is_checked_and_the_output_says_the_database_checks_were_skipped()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "validate", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain($"0 errors, 22 warnings, 0 notes in {MigrationFolder.PlannerMigrations} (10 migrations).")
            .And.Contain("the database checks (drift, dirty, missing and out-of-order versions) were skipped");
    }

    [Test]
    public async Task Lint_findings_are_validation_warnings_named_by_their_rule()
    {
        CliResult result = await CliInProcess.RunAsync(new CliStart(), "validate", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(0, result.ToString());
        string file = System.IO.Path.Combine(MigrationFolder.PlannerMigrations, "006_add_indexes.up.sql");
        result.Out.Should().Contain($"{file}:2:1: warning blocking-index-build: CREATE INDEX tasks_status_idx on tasks without CONCURRENTLY");
    }

    [Test]
    public async Task Every_problem_of_the_folder_is_reported_with_its_file_and_position_and_the_exit_code_is_1()
    {
        using var folder = new MigrationFolder()
            .Up(1, "ok", "CREATE TABLE ok (id int);\n")
            .Up(2, "unterminated", "CREATE TABLE t (id int);\nSELECT 'never closed;\n")
            .Up(3, "empty", "-- nothing yet\n")
            .Write("notes.sql", "SELECT 1;")
            .Write("004_orphan.down.sql", "DROP TABLE x;");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "validate", "--source", folder.Path);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().Contain($"{folder.File("notes.sql")}: error InvalidFileName:")
            .And.Contain($"{folder.File("002_unterminated.up.sql")}:2:8: error SyntaxError:")
            .And.Contain($"{folder.File("004_orphan.down.sql")}: warning MissingUpScript:", "a down file alone is an empty up migration, as golang-migrate reads it")
            .And.Contain($"{folder.File("003_empty.up.sql")}: warning EmptyScript:")
            .And.MatchRegex(@"2 errors, \d+ warnings, \d+ notes? in ");
    }

    [Test]
    public async Task Warnings_and_notes_alone_do_not_fail_validation()
    {
        using var folder = new MigrationFolder().Up(1, "empty", "-- nothing yet\n");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "validate", "--source", folder.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("warning EmptyScript").And.Contain("0 errors, 1 warning");
    }

    [Test]
    public async Task With_a_database_an_edited_applied_script_is_reported_as_drift()
    {
        using var folder = MigrationFolder.Planner();
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", folder.Path);
        File.AppendAllText(folder.File("003_create_steps_table.up.sql"), "\n-- edited after it was applied\n");

        CliResult result = await db.RunAsync("validate", "--source", folder.Path);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().Contain($"{folder.File("003_create_steps_table.up.sql")}: error ChecksumDrift:")
            .And.Contain($"against database \"{db.Name}\"")
            .And.NotContain("were skipped");
    }

    [Test]
    public async Task Json_validation_lists_each_problem_with_code_severity_and_place()
    {
        using var folder = MigrationFolder.Planner();
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", folder.Path);
        File.AppendAllText(folder.File("003_create_steps_table.up.sql"), "\n-- edited\n");

        CliResult result = await db.RunProcessAsync("validate", "--json", "--source", folder.Path);

        result.ExitCode.Should().Be(1, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        json.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        json.RootElement.GetProperty("databaseChecked").GetBoolean().Should().BeTrue();
        JsonElement drift = json.RootElement.GetProperty("problems").EnumerateArray().Single(p => p.GetProperty("code").GetString() == "ChecksumDrift");
        drift.GetProperty("severity").GetString().Should().Be("error");
        drift.GetProperty("version").GetInt64().Should().Be(3);
        drift.GetProperty("origin").GetString().Should().Be(folder.File("003_create_steps_table.up.sql"));
        drift.GetProperty("rule").ValueKind.Should().Be(JsonValueKind.Null);
        JsonElement lint = json.RootElement.GetProperty("problems").EnumerateArray().First(p => p.GetProperty("code").GetString() == "LintFinding");
        lint.GetProperty("rule").GetString().Should().Be("blocking-index-build");
        lint.GetProperty("severity").GetString().Should().Be("warning");
        lint.GetProperty("origin").GetString().Should().Be(folder.File("006_add_indexes.up.sql"));
    }
}
