using System.Text.Json;
using System.Text.RegularExpressions;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

[Parallelizable(ParallelScope.All)]
public sealed class LintCommandTests
{
    private static readonly string IndexesFile = Path.Combine(MigrationFolder.PlannerMigrations, "006_add_indexes.up.sql");
    private static readonly string ConstraintsFile = Path.Combine(MigrationFolder.PlannerMigrations, "007_add_constraints.up.sql");

    [Test]
    public async Task The_planner_folder_is_linted_as_a_compiler_prints_warnings_and_exits_0()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "lint", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(0, result.ToString());
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be(
            $"{IndexesFile}:1:1: warning blocking-index-build: CREATE INDEX tasks_project_id_idx on tasks without CONCURRENTLY holds a SHARE lock on tasks for the whole build: inserts, updates and deletes wait until the index is built.");
        lines[1].Should().StartWith("  safe: Build it with CREATE INDEX CONCURRENTLY");
        result.Out.Should().Contain($"{ConstraintsFile}:5:5: warning constraint-validates-under-lock: ADD CONSTRAINT tasks_project_id_fkey FOREIGN KEY without NOT VALID")
            .And.Contain($"{ConstraintsFile}:12:5: warning unique-constraint-builds-index:");
        lines.Count(l => l.Contains(": warning ", StringComparison.Ordinal)).Should().Be(22);
        lines[^1].Should().Be("22 warnings in 10 migrations (30 statements), rules for PostgreSQL 15 (assumed: pass --pg-version, or --database for the server's version and table sizes).");
    }

    [Test]
    public async Task An_error_rule_makes_the_exit_code_1()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "lint", "--source", MigrationFolder.PlannerMigrations, "--error", "unique-constraint-builds-index");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().Contain($"{ConstraintsFile}:12:5: error unique-constraint-builds-index:")
            .And.Contain("1 error, 21 warnings in 10 migrations");
    }

    [Test]
    public async Task Ignored_rules_are_not_reported_and_several_can_be_given_with_commas()
    {
        CliResult result = await CliInProcess.RunAsync(
            new CliStart(), "lint", "--source", MigrationFolder.PlannerMigrations, "--ignore", "blocking-index-build,constraint-validates-under-lock");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("1 warning in 10 migrations").And.NotContain("blocking-index-build");
    }

    [Test]
    public async Task A_rule_that_does_not_exist_is_a_usage_error()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "lint", "--source", MigrationFolder.PlannerMigrations, "--error", "blocking-index");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("there is no lint rule blocking-index").And.Contain("blocking-index-build");
    }

    [Test]
    public async Task A_breaking_drop_outside_a_post_migration_of_a_folder_with_phases_exits_1()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_tasks", "CREATE TABLE tasks (id bigint PRIMARY KEY, legacy text);\n")
            .Up(2, "drop_legacy", "ALTER TABLE tasks DROP COLUMN legacy;\n")
            .Up(3, "contract", "-- migrationkit:phase post\nALTER TABLE tasks DROP COLUMN IF EXISTS legacy;\n");

        CliResult result = await CliProcess.RunAsync(new CliStart(), "lint", "--source", folder.Path);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().Contain($"{folder.File("002_drop_legacy.up.sql")}:1:19: error breaking-drop:")
            .And.Contain("1 error in 3 migrations");
    }

    [Test]
    public async Task Files_limit_the_report_and_the_folder_they_are_in_is_read()
    {
        CliResult result = await CliInProcess.RunAsync(new CliStart(), "lint", ConstraintsFile);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("007_add_constraints.up.sql:2:5:").And.NotContain("006_add_indexes");
        result.Out.Should().Contain("13 warnings");
    }

    [Test]
    public async Task A_folder_that_does_not_exist_fails_rather_than_passing_with_no_findings()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "lint", "--source", "no/such/folder");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("The migrations folder 'no/such/folder' does not exist").And.Contain("nothing was linted");
    }

    [Test]
    public async Task A_file_that_is_not_an_up_script_of_the_folder_is_a_usage_error()
    {
        using var folder = new MigrationFolder().Write("notes.sql", "SELECT 1;");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "lint", folder.File("notes.sql"));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("is not an up script of the folder");
    }

    [TestCase("10", 1)]
    [TestCase("15", 0)]
    public async Task The_pg_version_decides_the_rules_that_depend_on_it(string version, int findings)
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_tasks", "CREATE TABLE tasks (id bigint PRIMARY KEY);\n")
            .Up(2, "add_done", "ALTER TABLE tasks ADD COLUMN done boolean NOT NULL DEFAULT false;\n");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "lint", "--source", folder.Path, "--pg-version", version, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Out);
        json.RootElement.GetProperty("findings").GetArrayLength().Should().Be(findings, result.ToString());
        json.RootElement.GetProperty("serverVersion").GetInt32().Should().Be(int.Parse(version, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task A_pg_version_that_is_not_a_major_version_is_a_usage_error()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "lint", "--pg-version", "eight");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("--pg-version takes a PostgreSQL major version");
    }

    [Test]
    public async Task Json_has_the_stable_field_names()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "lint", "--json", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        json.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("findings", "errors", "warnings", "serverVersion", "migrations", "statements");
        JsonElement first = json.RootElement.GetProperty("findings")[0];
        first.EnumerateObject().Select(p => p.Name).Should().Equal(
            "rule", "severity", "file", "line", "column", "message", "lock", "blocks", "recipe", "version", "table", "estimatedRows", "totalBytes");
        first.GetProperty("rule").GetString().Should().Be("blocking-index-build");
        first.GetProperty("severity").GetString().Should().Be("warning");
        first.GetProperty("file").GetString().Should().Be(IndexesFile);
        first.GetProperty("line").GetInt32().Should().Be(1);
        first.GetProperty("column").GetInt32().Should().Be(1);
        first.GetProperty("lock").GetString().Should().Be("SHARE");
        first.GetProperty("blocks").EnumerateArray().Select(b => b.GetString()).Should().Equal("writes", "schema-changes");
        first.GetProperty("table").GetString().Should().Be("tasks");
        first.GetProperty("estimatedRows").ValueKind.Should().Be(JsonValueKind.Null);
        json.RootElement.GetProperty("warnings").GetInt32().Should().Be(22);
    }

    [Test]
    public async Task Sarif_has_the_properties_sarif_2_1_0_and_code_scanning_require()
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, MigrationFolder.PlannerMigrations);

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "lint", "--sarif", "--source", relative, "--error", "unique-constraint-builds-index");

        result.ExitCode.Should().Be(1, result.ToString());
        using JsonDocument sarif = JsonDocument.Parse(result.Out);
        JsonElement root = sarif.RootElement;
        root.GetProperty("version").GetString().Should().Be("2.1.0");
        root.GetProperty("$schema").GetString().Should().Be("https://json.schemastore.org/sarif-2.1.0.json");
        JsonElement run = root.GetProperty("runs").EnumerateArray().Should().ContainSingle().Subject;
        JsonElement driver = run.GetProperty("tool").GetProperty("driver");
        driver.GetProperty("name").GetString().Should().Be("MigrationKit");
        string[] ruleIds = [.. driver.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
        ruleIds.Should().Equal(MigrationKit.Linting.LintRuleIds.All);
        foreach (JsonElement rule in driver.GetProperty("rules").EnumerateArray())
        {
            rule.GetProperty("shortDescription").GetProperty("text").GetString().Should().NotBeNullOrEmpty();
            rule.GetProperty("help").GetProperty("text").GetString().Should().NotBeNullOrEmpty();
            rule.GetProperty("defaultConfiguration").GetProperty("level").GetString().Should().Be("warning");
        }

        JsonElement[] results = [.. run.GetProperty("results").EnumerateArray()];
        results.Should().HaveCount(22);
        foreach (JsonElement finding in results)
        {
            string ruleId = finding.GetProperty("ruleId").GetString()!;
            ruleIds.Should().Contain(ruleId);
            ruleIds[finding.GetProperty("ruleIndex").GetInt32()].Should().Be(ruleId);
            finding.GetProperty("level").GetString().Should().BeOneOf("error", "warning", "note");
            finding.GetProperty("message").GetProperty("text").GetString().Should().NotBeNullOrEmpty();
            JsonElement location = finding.GetProperty("locations").EnumerateArray().Should().ContainSingle().Subject.GetProperty("physicalLocation");
            string uri = location.GetProperty("artifactLocation").GetProperty("uri").GetString()!;
            Uri.TryCreate(uri, UriKind.Relative, out _).Should().BeTrue(uri);
            uri.Should().NotStartWith("./").And.NotContain("\\").And.EndWith(".up.sql");
            location.GetProperty("region").GetProperty("startLine").GetInt32().Should().BePositive();
            location.GetProperty("region").GetProperty("startColumn").GetInt32().Should().BePositive();
        }

        results.Should().ContainSingle(r => r.GetProperty("level").GetString() == "error")
            .Which.GetProperty("ruleId").GetString().Should().Be("unique-constraint-builds-index");
    }

    [Test]
    public async Task Json_and_sarif_together_are_a_usage_error()
    {
        CliResult result = await CliInProcess.RunAsync(new CliStart(), "lint", "--json", "--sarif", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(2, result.ToString());
    }

    [Test]
    public async Task With_a_database_findings_carry_the_server_version_and_the_catalogs_table_sizes()
    {
        using MigrationFolder folder = MigrationFolder.Planner();
        await using TestDatabase db = await TestDatabase.CreateAsync();
        (await db.RunAsync("up", "--source", folder.Path)).ExitCode.Should().Be(0);
        await db.ExecuteAsync("INSERT INTO tasks (project_id, title) SELECT p.id, 'task ' || g FROM projects p, generate_series(1, 5000) g; ANALYZE tasks;");
        int serverVersion = await db.ScalarAsync<int>("SELECT current_setting('server_version_num')::int / 10000");

        CliResult text = await db.RunAsync("lint", "--source", folder.Path);
        CliResult json = await db.RunAsync("lint", "--source", folder.Path, "--json");

        text.ExitCode.Should().Be(0, text.ToString());
        text.Out.Should().MatchRegex(@"006_add_indexes\.up\.sql:1:1: warning blocking-index-build: .* \(tasks: about 5 k rows, \d+ kB\)")
            .And.Contain($"rules for PostgreSQL {serverVersion}.");
        using JsonDocument document = JsonDocument.Parse(json.Out);
        document.RootElement.GetProperty("serverVersion").GetInt32().Should().Be(serverVersion);
        JsonElement first = document.RootElement.GetProperty("findings")[0];
        first.GetProperty("estimatedRows").GetInt64().Should().Be(5003);
        first.GetProperty("totalBytes").GetInt64().Should().BeGreaterThan(8192);
        Regex.IsMatch(first.GetProperty("message").GetString()!, @"\(tasks: about 5 k rows, \d+ kB\)$").Should().BeTrue(first.GetProperty("message").GetString());
    }
}
