using System.Text.Json;
using MigrationKit.Cli.Tests.Support;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Cli.Tests.Commands;

/// <summary>
/// <c>up</c> and <c>status</c> over a fleet, run as a user runs them: targets from a pattern or a file, a line per
/// target or a live line on a terminal, the JSON report, exit codes, usage errors.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class FleetCommandTests
{
    private static readonly string Planner = MigrationFolder.PlannerMigrations;

    [Test]
    public async Task Up_over_schemas_writes_one_line_per_finished_target_and_a_second_run_finds_every_one_up_to_date()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE SCHEMA other");

        CliResult first = await db.RunAsync("up", "--schemas", "tenant\\_%", "--source", Planner);

        first.ExitCode.Should().Be(0, first.ToString());
        first.Out.Should().Contain("Migrating 3 targets (the schemas matching 'tenant\\_%' in database");
        foreach (string schema in new[] { "tenant_a", "tenant_b", "tenant_c" })
        {
            first.Out.Should().MatchRegex($@"(?m)^applied +postgres://\S+/{db.Name} schema {schema}  none → 10  10 migrations  [0-9.<]+ m?s$");
            (await db.VersionsAsync($"{schema}.schema_migrations")).Should().HaveCount(10);
            (await db.TablesAsync(schema)).Should().Contain("projects");
        }

        first.Out.Should().MatchRegex(@"3 targets on 1 server: 3 applied, 0 up to date; 30 migrations applied in [0-9.]+ m?s \(3 at a time\)\.");
        (await db.TablesAsync("other")).Should().BeEmpty();

        CliResult second = await db.RunAsync("up", "--schemas", "tenant\\_%", "--source", Planner);

        second.ExitCode.Should().Be(0, second.ToString());
        second.Out.Should().MatchRegex(@"(?m)^up-to-date +\S+ schema tenant_a  10 → 10  ");
        second.Out.Should().Contain("3 targets on 1 server: 0 applied, 3 up to date; 0 migrations applied");
    }

    [Test]
    public async Task Up_over_a_targets_file_with_json_writes_the_whole_report_with_stable_field_names_and_no_password()
    {
        Assume(TestServer.HasPasswordUser, "the password user is made on a private cluster only");
        await using var one = await TestDatabase.CreateAsync();
        await using var two = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder();
        string file = folder.File("targets.txt");
        await File.WriteAllTextAsync(file, $"""
            # the shards
            {one.PasswordUrl}

              {new NpgsqlConnectionStringBuilder(two.ConnectionString) { Pooling = false }.ConnectionString}
            """);

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "up", "--targets", file, "--source", Planner, "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.All.Should().NotContain(TestServer.Password);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement root = json.RootElement;
        Names(root).Should().Equal("command", "succeeded", "cancelled", "summary", "targets");
        root.GetProperty("command").GetString().Should().Be("up");
        root.GetProperty("succeeded").GetBoolean().Should().BeTrue();
        JsonElement summary = root.GetProperty("summary");
        Names(summary).Should().Equal("targets", "servers", "applied", "upToDate", "doneByAnother", "failed", "skipped", "cancelled", "migrationsApplied", "parallelism", "maxPerServer", "durationMs");
        (summary.GetProperty("targets").GetInt32(), summary.GetProperty("applied").GetInt32(), summary.GetProperty("migrationsApplied").GetInt32()).Should().Be((2, 2, 20));
        JsonElement[] targets = [.. root.GetProperty("targets").EnumerateArray()];
        targets.Should().HaveCount(2);
        Names(targets[0]).Should().Equal(
            "target", "server", "database", "schema", "status", "fromVersion", "toVersion", "migrationsApplied", "startedAt", "durationMs", "attempts", "reason", "failure");
        targets.Select(t => t.GetProperty("database").GetString()).Should().BeEquivalentTo([one.Name, two.Name]);
        targets.Should().OnlyContain(t =>
            t.GetProperty("status").GetString() == "applied"
            && t.GetProperty("fromVersion").ValueKind == JsonValueKind.Null
            && t.GetProperty("toVersion").GetInt64() == 10
            && t.GetProperty("schema").GetString() == "public"
            && t.GetProperty("failure").ValueKind == JsonValueKind.Null);
        targets.Select(t => t.GetProperty("target").GetString()).Should().Contain($"postgres://{TestServer.PasswordUser}@127.0.0.1:{one.Port}/{one.Name}");
    }

    [Test]
    public async Task Up_with_on_error_continue_exits_1_and_the_report_names_the_broken_target_with_file_line_and_column()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA t1; CREATE SCHEMA t2; CREATE SCHEMA t3; CREATE TABLE t2.steps (id int)");

        CliResult result = await db.RunAsync("up", "--schemas", "t_", "--source", Planner, "--on-error", "continue", "--json");

        result.ExitCode.Should().Be(1, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        json.RootElement.GetProperty("succeeded").GetBoolean().Should().BeFalse();
        JsonElement[] targets = [.. json.RootElement.GetProperty("targets").EnumerateArray()];
        targets.Select(t => (t.GetProperty("schema").GetString(), t.GetProperty("status").GetString())).Should().Equal(("t1", "applied"), ("t2", "failed"), ("t3", "applied"));
        JsonElement failure = targets[1].GetProperty("failure");
        Path.GetFileName(failure.GetProperty("file").GetString()).Should().Be("003_create_steps_table.up.sql");
        (failure.GetProperty("line").GetInt32(), failure.GetProperty("column").GetInt32(), failure.GetProperty("sqlState").GetString(), failure.GetProperty("version").GetInt64())
            .Should().Be((2, 1, "42P07", 3L));
        result.Error.Should().MatchRegex(@"schema t2: \S+003_create_steps_table\.up\.sql:2:1: error 42P07: relation ""steps"" already exists\r?\n  Applying migration 3 \(create_steps_table\) failed at ");
    }

    [Test]
    public async Task Up_with_on_error_stop_starts_nothing_after_the_failure_and_says_why_for_each_skipped_target()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA t1; CREATE SCHEMA t2; CREATE SCHEMA t3; CREATE SCHEMA t4; CREATE TABLE t2.steps (id int)");

        CliResult result = await db.RunAsync("up", "--schemas", "t_", "--source", Planner, "--parallel", "1");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Out.Should().MatchRegex(@"(?m)^applied +\S+ schema t1 ");
        result.Out.Should().MatchRegex(@"(?m)^failed +\S+ schema t2  none → 2  2 migrations  [0-9.<]+ m?s  \S+003_create_steps_table\.up\.sql:2:1: 42P07: relation ""steps"" already exists$");
        result.Out.Should().MatchRegex(@"(?m)^skipped +\S+ schema t3  none → none  Not started: \S+ schema t2 failed, and no target starts after a failure");
        result.Out.Should().MatchRegex(@"(?m)^skipped +\S+ schema t4 ");
        (await db.TablesAsync("t3")).Should().BeEmpty();
    }

    [Test]
    public async Task Up_over_databases_finds_them_by_pattern_on_the_server_of_database()
    {
        string prefix = "mk_clif_" + Guid.NewGuid().ToString("N")[..8] + "_";
        await using ThrowawayDatabase a = await TestServer.Server.CreateEmptyDatabaseAsync(prefix);
        await using ThrowawayDatabase b = await TestServer.Server.CreateEmptyDatabaseAsync(prefix);
        await using var maintenance = await TestDatabase.CreateAsync();

        CliResult result = await maintenance.RunAsync("up", "--databases", prefix.Replace("_", "\\_", StringComparison.Ordinal) + "%", "--source", Planner, "--canary", "1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain($"Migrating 2 targets (the databases matching '{prefix.Replace("_", "\\_", StringComparison.Ordinal)}%' on ");
        result.Out.Should().Contain($"/{a.Name}  none → 10").And.Contain($"/{b.Name}  none → 10");
        (await maintenance.TablesAsync()).Should().BeEmpty("the database of --database only names the server");
    }

    [Test]
    public async Task Status_over_a_fleet_counts_the_targets_at_each_version_and_names_those_behind_and_dirty()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA t1; CREATE SCHEMA t2; CREATE SCHEMA t3");
        (await db.RunAsync("up", "--schemas", "t1", "--source", Planner)).ExitCode.Should().Be(0);

        CliResult behind = await db.RunAsync("status", "--schemas", "t_", "--source", Planner, "--exit-code");

        behind.ExitCode.Should().Be(4, behind.ToString());
        behind.Out.Should().Contain("3 targets on 1 server (the schemas matching 't_' in database").And.Contain("the source's newest version is 10.");
        behind.Out.Should().MatchRegex(@"(?m)^  version   10  1 target$").And.MatchRegex(@"(?m)^  version none  2 targets$");
        behind.Out.Should().Contain("Behind (2):").And.MatchRegex(@"(?m)^  \S+ schema t2: at version none, 10 migrations pending$");

        await db.ExecuteAsync("UPDATE t1.schema_migrations SET dirty = true WHERE version = 10");
        CliResult dirty = await db.RunAsync("status", "--schemas", "t_", "--source", Planner, "--json");

        dirty.ExitCode.Should().Be(3, dirty.ToString());
        using JsonDocument json = JsonDocument.Parse(dirty.Out);
        Names(json.RootElement).Should().Equal("sourceVersion", "summary", "versions", "targets");
        JsonElement summary = json.RootElement.GetProperty("summary");
        (summary.GetProperty("targets").GetInt32(), summary.GetProperty("upToDate").GetInt32(), summary.GetProperty("behind").GetInt32(), summary.GetProperty("dirty").GetInt32(), summary.GetProperty("unreachable").GetInt32())
            .Should().Be((3, 0, 2, 1, 0));
        json.RootElement.GetProperty("versions").EnumerateArray().Select(v => (v.GetProperty("version").ValueKind == JsonValueKind.Null ? (long?)null : v.GetProperty("version").GetInt64(), v.GetProperty("targets").GetInt32()))
            .Should().Equal((10L, 1), (null, 2));
        Names(json.RootElement.GetProperty("targets")[0]).Should().Equal("target", "server", "database", "schema", "state", "currentVersion", "pending", "drifted", "missing", "error");
    }

    [Test]
    public async Task An_unknown_placeholder_is_refused_with_file_line_and_column_before_any_target_runs_and_placeholder_gives_values()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA t1; CREATE SCHEMA t2");
        using var folder = new MigrationFolder()
            .Up(1, "notes", "CREATE TABLE notes (id int, owner text DEFAULT '${owner}');")
            .Up(2, "comment", "-- The notes of ${schema}.\nCOMMENT ON TABLE notes IS '${schema} for ${owner}';");

        CliResult refused = await db.RunAsync("up", "--schemas", "t_", "--source", folder.Path);

        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Error.Should().MatchRegex(@"001_notes\.up\.sql:1:49: error UnknownPlaceholder: \$\{owner\} is not a known placeholder");
        refused.Error.Should().MatchRegex(@"002_comment\.up\.sql:2:42: error UnknownPlaceholder");
        (await db.TablesAsync("t1")).Should().BeEmpty();

        CliResult applied = await db.RunAsync("up", "--schemas", "t_", "--source", folder.Path, "--placeholder", "owner=app");

        applied.ExitCode.Should().Be(0, applied.ToString());
        (await db.ScalarAsync<string>("SELECT obj_description('t2.notes'::regclass)")).Should().Be("t2 for app");
    }

    [Test]
    public async Task A_single_database_up_replaces_placeholders_too()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Up(1, "notes", "CREATE TABLE ${schema}.notes (owner text DEFAULT '${owner}');");

        CliResult result = await db.RunAsync("up", "--source", folder.Path, "--placeholder", "owner=app_owner");

        result.ExitCode.Should().Be(0, result.ToString());
        (await db.ScalarAsync<string>("SELECT column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'notes'")).Should().Be("'app_owner'::text");
    }

    [Test]
    public async Task On_a_terminal_up_keeps_one_live_line_of_done_failed_running_and_time_left()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA t1; CREATE SCHEMA t2");

        CliResult result = await CliInProcess.RunAsync(db.Start() with { Terminal = true }, "up", "--schemas", "t_", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("\r\u001b[2K").And.MatchRegex(@"2/2\S* done, 0 failed, 0 running");
        result.Out.Should().MatchRegex(@"[0-9]/2\S* done, 0 failed, [12] running, [0-9.<]+ m?s");
        result.Out.Should().NotMatchRegex(@"(?m)^\S*applied", "on a terminal, finished targets are counted on the live line, not listed");
        result.Out.Should().Contain("2 applied");
    }

    [TestCase("--databases", "a", "--schemas", "b")]
    [TestCase("--schemas", "a", "--targets", "f")]
    public async Task Two_ways_of_naming_a_fleet_at_once_are_a_usage_error(string first, string firstValue, string second, string secondValue)
    {
        CliResult result = await CliInProcess.RunAsync(new CliStart { DatabaseUrl = "postgres://x@localhost/x" }, "up", first, firstValue, second, secondValue);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("each name a whole fleet; give one of them");
    }

    [TestCase(new[] { "up", "--canary", "1" }, "--canary is for a fleet")]
    [TestCase(new[] { "up", "--parallel", "2" }, "--parallel is for a fleet")]
    [TestCase(new[] { "status", "--per-server", "2" }, "--per-server is for a fleet")]
    [TestCase(new[] { "up", "--json" }, "up --json writes a fleet's report")]
    [TestCase(new[] { "up", "3", "--schemas", "t%" }, "the count is for one database")]
    [TestCase(new[] { "up", "--schemas", "t%", "--parallel", "0" }, "--parallel takes a whole number of at least 1, not '0'")]
    [TestCase(new[] { "up", "--schemas", "t%", "--on-error", "maybe" }, "--on-error must be stop or continue, not 'maybe'")]
    [TestCase(new[] { "up", "--placeholder", "=secret-value" }, "one has no name before '='")]
    public async Task Fleet_options_that_do_not_fit_are_usage_errors(string[] args, string message)
    {
        CliResult result = await CliInProcess.RunAsync(new CliStart { DatabaseUrl = "postgres://x@localhost/x" }, args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain(message);
        result.All.Should().NotContain("secret-value");
    }

    [Test]
    public async Task A_malformed_line_of_a_targets_file_is_a_usage_error_naming_the_line_and_never_its_password()
    {
        using var folder = new MigrationFolder();
        string file = folder.File("targets.txt");
        await File.WriteAllTextAsync(file, "# shards\npostgres://a@h1/db\nmysql://root:hunter2@h2/db\n");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "up", "--targets", file, "--source", Planner);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain($"{file}, line 3: The database URL mysql://root:***@h2/db is not valid");
        result.All.Should().NotContain("hunter2");
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static void Assume(bool condition, string reason)
    {
        if (!condition)
        {
            Assert.Ignore(reason);
        }
    }
}
