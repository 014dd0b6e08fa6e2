using System.Text.Json;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

/// <summary>
/// <c>migrationkit verify</c>: each migration up, down and up again on a throwaway database of <c>--server</c> (the
/// test server here) or of a private cluster, never of <c>--database</c>.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class VerifyCommandTests
{
    private static string Server => TestServer.Server.ConnectionString;

    [Test]
    public async Task The_Planner_folder_verifies_clean_and_every_migration_is_listed_with_its_timings()
    {
        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", MigrationFolder.PlannerMigrations, "--server", Server);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain($"Verifying 10 migrations of {MigrationFolder.PlannerMigrations}: up, down, up again, on a throwaway database (PostgreSQL ")
            .And.MatchRegex(@"Version\s+Description\s+Up\s+Down\s+Re-up\s+Result")
            .And.MatchRegex(@"\n\s+1  create_projects_table\s+[<\d.]+ m?s\s+[<\d.]+ m?s\s+[<\d.]+ m?s  down restores the schema\n")
            .And.MatchRegex(@"\n\s+10  seed_data\s+[<\d.]+ m?s\s+[<\d.]+ m?s\s+[<\d.]+ m?s  down restores the schema\n")
            .And.MatchRegex(@"Verified 10 migrations in [\d.]+ m?s: every down script restores the schema and every up script runs again after it\.");
        result.Out.Split('\n').Count(l => l.EndsWith("down restores the schema", StringComparison.Ordinal)).Should().Be(10);
        result.Error.Should().BeEmpty();
    }

    [Test]
    public async Task Without_server_it_starts_a_private_cluster_from_the_local_binaries_as_a_user_runs_it()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MIGRATIONKIT_TEST_CONNECTION")))
        {
            Assert.Ignore("MIGRATIONKIT_TEST_CONNECTION is set: verify would use that server, not a private cluster.");
        }

        CliResult result = await CliProcess.RunAsync(new CliStart(), "verify", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("a private cluster from the local PostgreSQL binaries").And.Contain("Verified 10 migrations in ");
    }

    [Test]
    public async Task A_down_script_that_forgets_an_index_fails_verify_naming_the_index()
    {
        using MigrationFolder folder = MigrationFolder.Planner();
        File.WriteAllLines(
            folder.File("006_add_indexes.down.sql"),
            File.ReadAllLines(folder.File("006_add_indexes.down.sql")).Where(l => !l.Contains("tasks_status_idx", StringComparison.Ordinal)));

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", folder.Path, "--server", Server);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().MatchRegex(@"\n\s+6  add_indexes\s+\S+ m?s\s+\S+ m?s\s+failed  re-up failed:\n")
            .And.Contain("         index \"tasks_status_idx\" on \"public\".\"tasks\" is left over after down (it did not exist before the up)\n")
            .And.Contain($"{folder.File("006_add_indexes.up.sql")}:2:1: error 42P07: relation \"tasks_status_idx\" already exists")
            .And.MatchRegex(@"\n\s+7  add_constraints\s+-\s+-\s+-  not run\n")
            .And.MatchRegex(@"Verification failed in [\d.]+ m?s: 1 migration failed, 4 not run, 5 verified\.");
    }

    [Test]
    public async Task A_column_default_the_server_rejects_is_reported_as_a_compiler_does_with_file_line_and_column()
    {
        using MigrationFolder folder = MigrationFolder.Planner();
        string file = folder.File("002_create_tasks_table.up.sql");
        File.WriteAllText(file, File.ReadAllText(file).Replace("NOT NULL DEFAULT 'todo'", "NOT NULL DEFALT 'todo'", StringComparison.Ordinal));

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", folder.Path, "--server", Server);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().MatchRegex(@"\n\s+2  create_tasks_table\s+failed\s+-\s+-  up failed:\n")
            .And.Contain($"{file}:7:38: error 42601: syntax error at or near \"DEFALT\"");
    }

    [Test]
    public async Task A_down_script_that_leaves_the_schema_different_but_lets_the_up_run_again_fails_verify()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_projects", "CREATE TABLE projects (id int PRIMARY KEY, name text);\n", "DROP TABLE projects;\n")
            .Up(2, "require_name", "ALTER TABLE projects ALTER COLUMN name SET NOT NULL;\n", "SELECT 1;\n");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", folder.Path, "--server", Server);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().Contain("down leaves the schema different:")
            .And.Contain("column \"name\" of \"public\".\"projects\" differs after down: was text NULL, now text NOT NULL")
            .And.MatchRegex(@"Verification failed in [\d.]+ m?s: 1 down script leaves the schema different, 1 verified\.");
    }

    [Test]
    public async Task Migrations_without_down_scripts_are_reported_up_only_and_verify_passes()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_projects", "CREATE TABLE projects (id int PRIMARY KEY);\n", "DROP TABLE projects;\n")
            .Up(2, "add_name", "ALTER TABLE projects ADD COLUMN name text;\n");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", folder.Path, "--server", Server);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().MatchRegex(@"\n\s+2  add_name\s+\S+ m?s\s+-\s+-  up only \(no down script\)\n")
            .And.MatchRegex(@"Verified 2 migrations in [\d.]+ m?s: 1 down script restores the schema, 1 up only \(no down script\)\.");
    }

    [Test]
    public async Task Json_output_has_stable_field_names_and_every_difference_and_error()
    {
        using MigrationFolder folder = MigrationFolder.Planner();
        File.WriteAllLines(
            folder.File("006_add_indexes.down.sql"),
            File.ReadAllLines(folder.File("006_add_indexes.down.sql")).Where(l => !l.Contains("tasks_status_idx", StringComparison.Ordinal)));

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", folder.Path, "--server", Server, "--json");

        result.ExitCode.Should().Be(1, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("verified", "source", "server", "serverVersion", "durationMs", "counts", "migrations");
        root.GetProperty("verified").GetBoolean().Should().BeFalse();
        root.GetProperty("source").GetString().Should().Be(folder.Path);
        root.GetProperty("serverVersion").GetString().Should().Be(TestServer.Server.ServerVersion.ToString());
        root.GetProperty("counts").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32()))
            .Should().Equal(("verified", 5), ("upOnly", 0), ("schemaDiffers", 0), ("failed", 1), ("notRun", 4));

        JsonElement[] migrations = [.. root.GetProperty("migrations").EnumerateArray()];
        migrations.Should().HaveCount(10);
        migrations[0].EnumerateObject().Select(p => p.Name)
            .Should().Equal("version", "description", "result", "up", "down", "upMs", "downMs", "reUpMs", "differences", "error");
        migrations[0].GetProperty("result").GetString().Should().Be("verified");
        migrations[0].GetProperty("upMs").GetDouble().Should().BePositive();

        JsonElement failed = migrations[5];
        failed.GetProperty("version").GetInt64().Should().Be(6);
        failed.GetProperty("result").GetString().Should().Be("failed");
        failed.GetProperty("reUpMs").ValueKind.Should().Be(JsonValueKind.Null);
        JsonElement difference = failed.GetProperty("differences").EnumerateArray().Should().ContainSingle().Subject;
        difference.EnumerateObject().Select(p => p.Name).Should().Equal("object", "change", "before", "after", "message");
        difference.GetProperty("object").GetString().Should().Be("index \"tasks_status_idx\" on \"public\".\"tasks\"");
        difference.GetProperty("change").GetString().Should().Be("added");
        difference.GetProperty("before").ValueKind.Should().Be(JsonValueKind.Null);
        difference.GetProperty("after").GetString().Should().Be("CREATE INDEX tasks_status_idx ON public.tasks USING btree (status)");
        JsonElement error = failed.GetProperty("error");
        error.EnumerateObject().Select(p => p.Name).Should().Equal("step", "file", "line", "column", "sqlState", "message");
        error.GetProperty("step").GetString().Should().Be("reUp");
        error.GetProperty("file").GetString().Should().Be(folder.File("006_add_indexes.up.sql"));
        error.GetProperty("line").GetInt32().Should().Be(2);
        error.GetProperty("column").GetInt32().Should().Be(1);
        error.GetProperty("sqlState").GetString().Should().Be("42P07");
        error.GetProperty("message").GetString().Should().Be("relation \"tasks_status_idx\" already exists");
        migrations[6].GetProperty("result").GetString().Should().Be("notRun");
    }

    [Test]
    public async Task It_never_connects_to_the_database_of_database_url_or_database_and_says_it_ignores_database()
    {
        // Neither of these answers: verify would fail if it used them.
        const string Nowhere = "postgres://nobody@127.0.0.1:1/nowhere";

        CliResult result = await CliInProcess.RunAsync(
            new CliStart { DatabaseUrl = Nowhere },
            "verify", "--source", MigrationFolder.PlannerMigrations, "--server", Server, "--database", Nowhere);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().Contain("verify runs on a throwaway database and ignores --database");
    }

    [Test]
    public async Task A_server_that_cannot_be_reached_fails_with_what_to_do_and_never_shows_its_password()
    {
        const string Password = "Verify-s3cret-pw";

        CliResult result = await CliInProcess.RunAsync(
            new CliStart(), "verify", "--source", MigrationFolder.PlannerMigrations, "--server", $"postgres://someone:{Password}@127.0.0.1:1/postgres?connect_timeout=5");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("verify found no PostgreSQL server for its throwaway database")
            .And.Contain("Check --server: the server must be reachable and the user allowed to create databases.");
        result.All.Should().NotContain(Password);
    }

    [Test]
    public async Task An_empty_folder_has_nothing_to_verify()
    {
        using var folder = new MigrationFolder();

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", folder.Path, "--server", "Host=127.0.0.1;Port=1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Be($"No migrations in {folder.Path}: nothing to verify.\n");
    }

    [Test]
    public async Task A_malformed_folder_fails_before_any_server_is_started()
    {
        using var folder = new MigrationFolder().Up(1, "one", "CREATE TABLE one (id int);\n").Write("notes.sql", "SELECT 1;");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "verify", "--source", folder.Path, "--server", "Host=127.0.0.1;Port=1");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("notes.sql").And.NotContain("no PostgreSQL server");
    }
}
