using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>The Planner sample as its users run it: a process that migrates at start-up, then serves on a loopback port.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class PlannerProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Test]
    public async Task The_Planner_migrates_prints_the_status_table_and_serves_the_seed_project()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var planner = PlannerProcess.Start(db.ConnectionString);
        Uri address = await planner.WaitUntilServingAsync(StartTimeout);
        using var http = new HttpClient { BaseAddress = address };

        JsonElement projects = await http.GetFromJsonAsync<JsonElement>("/projects");
        projects.GetArrayLength().Should().Be(1);
        JsonElement project = projects[0];
        project.GetProperty("name").GetString().Should().Be("MCP-Planner demo");
        project.GetProperty("status").GetString().Should().Be("active");

        JsonElement tasks = await http.GetFromJsonAsync<JsonElement>($"/projects/{project.GetProperty("id").GetInt64()}/tasks");
        tasks.EnumerateArray().Select(t => t.GetProperty("title").GetString()).Should().BeEquivalentTo("Design the schema", "Write the migrations", "Ship the service");
        tasks.EnumerateArray().Sum(t => t.GetProperty("steps").GetArrayLength()).Should().Be(6);
        (await http.GetAsync("/projects/999999/tasks")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        string table = string.Join('\n', planner.Lines.SkipWhile(l => !l.StartsWith("Version", StringComparison.Ordinal)).Take(12));
        table.Should().Contain("create_projects_table").And.Contain("seed_data").And.Contain("Database at version 10, clean, 0 pending.");
        planner.Lines.Count(l => l.Contains(" applied ", StringComparison.Ordinal)).Should().Be(10);
    }

    [Test]
    public async Task GET_migrations_answers_the_status_as_JSON_without_the_connection_string()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var planner = PlannerProcess.Start(db.ConnectionString);
        using var http = new HttpClient { BaseAddress = await planner.WaitUntilServingAsync(StartTimeout) };

        string body = await http.GetStringAsync("/migrations");
        JsonElement status = JsonSerializer.Deserialize<JsonElement>(body);

        status.GetProperty("current_version").GetInt64().Should().Be(10);
        status.GetProperty("dirty").GetBoolean().Should().BeFalse();
        status.GetProperty("pending").GetInt32().Should().Be(0);
        JsonElement[] entries = [.. status.GetProperty("migrations").EnumerateArray()];
        entries.Select(e => e.GetProperty("version").GetInt64()).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        entries[0].GetProperty("description").GetString().Should().Be("create_projects_table");
        entries.Should().OnlyContain(e => e.GetProperty("state").GetString() == "applied");
        entries.Should().OnlyContain(e => e.GetProperty("applied_at").ValueKind == JsonValueKind.String);
        entries.Should().OnlyContain(e => e.GetProperty("execution_ms").ValueKind == JsonValueKind.Number);
        body.Should().NotContain(db.ConnectionString).And.NotContainEquivalentOf("host=").And.NotContainEquivalentOf("password").And.NotContain(db.Name);
    }

    [Test]
    public async Task GET_health_reports_the_migrations_check_and_the_database_check()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var planner = PlannerProcess.Start(db.ConnectionString);
        using var http = new HttpClient { BaseAddress = await planner.WaitUntilServingAsync(StartTimeout) };

        using HttpResponseMessage healthy = await http.GetAsync("/health");
        JsonElement report = await healthy.Content.ReadFromJsonAsync<JsonElement>();
        await Db.ExecuteAsync(db.ConnectionString, "UPDATE schema_migrations SET dirty = true WHERE version = 10");
        using HttpResponseMessage dirty = await http.GetAsync("/health");

        healthy.StatusCode.Should().Be(HttpStatusCode.OK);
        report.GetProperty("status").GetString().Should().Be("Healthy");
        report.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Should().BeEquivalentTo("migrations", "database");
        dirty.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await dirty.Content.ReadAsStringAsync()).Should().Contain("dirty at version 10");
    }

    [Test]
    public async Task Migrate_only_migrates_prints_the_status_table_and_exits_0_and_a_second_run_finds_nothing_to_do()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        using var first = PlannerProcess.Start(db.ConnectionString, "--migrate-only");
        int firstExit = await first.WaitForExitAsync(StartTimeout);
        using var second = PlannerProcess.Start(db.ConnectionString, "--migrate-only");
        int secondExit = await second.WaitForExitAsync(StartTimeout);

        firstExit.Should().Be(0, first.Output);
        first.Output.Should().Contain("Database at version 10, clean, 0 pending.").And.NotContain("Now listening");
        first.Lines.Count(l => l.Contains("[3001]", StringComparison.Ordinal)).Should().Be(10, "ten migrations ran");
        secondExit.Should().Be(0, second.Output);
        second.Output.Should().Contain("Database at version 10, clean, 0 pending.").And.Contain("0 migration(s) run at start-up");
        second.Lines.Should().NotContain(l => l.Contains("[3001]", StringComparison.Ordinal));
        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10);
    }

    [Test]
    public async Task Five_Planners_started_at_once_on_one_empty_database_all_serve_and_each_migration_runs_once()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var planners = Enumerable.Range(0, 5).Select(_ => PlannerProcess.Start(db.ConnectionString)).ToList();
        try
        {
            Uri[] addresses = await Task.WhenAll(planners.Select(p => p.WaitUntilServingAsync(StartTimeout)));
            using var http = new HttpClient();
            foreach (Uri address in addresses)
            {
                JsonElement projects = await http.GetFromJsonAsync<JsonElement>(new Uri(address, "/projects"));
                projects.GetArrayLength().Should().Be(1, "the seed ran once");
            }

            // Event 3001 (MigrationApplied) is logged by the process that ran the script: each version by exactly one.
            var applied = planners.SelectMany(p => p.Lines.Where(l => l.Contains("[3001]", StringComparison.Ordinal))).ToList();
            applied.Should().HaveCount(10, string.Join('\n', applied));
            Enumerable.Range(1, 10).Should().OnlyContain(v => applied.Count(l => l.Contains($"Ran Up {v} ", StringComparison.Ordinal)) == 1);
            (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10).And.OnlyContain(h => !h.Dirty);
            (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM audit_logs WHERE actor = 'seed'")).Should().Be(10);
        }
        finally
        {
            planners.ForEach(p => p.Dispose());
        }
    }

    [Test]
    public async Task A_migration_that_fails_stops_the_Planner_with_exit_code_1_and_one_line_naming_the_file_and_line()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        // An object in the way: 003_create_steps_table's CREATE TABLE (line 2 of the file) fails.
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE steps (legacy int)");
        using var planner = PlannerProcess.Start(db.ConnectionString);

        int exit = await planner.WaitForExitAsync(StartTimeout);

        exit.Should().Be(1, planner.Output);
        string critical = planner.Lines.Should().ContainSingle(l => l.Contains(" crit: ", StringComparison.Ordinal), planner.Output).Subject;
        critical.Should().Contain("[5004]").And.Contain("003_create_steps_table.up.sql:2:1").And.Contain("42P07").And.Contain("relation \"steps\" already exists");
        planner.Output.Should().NotContain("Now listening").And.NotContain("Unhandled exception").And.NotContain("Hosting failed to start");
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(1, 2);
    }

    [Test]
    public async Task An_invalid_option_in_configuration_stops_the_Planner_with_exit_code_1_and_one_line_naming_it()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var planner = PlannerProcess.Start(db.ConnectionString, new Dictionary<string, string?> { ["Migrations__LockTimeout"] = "-00:00:05" });

        int exit = await planner.WaitForExitAsync(StartTimeout);

        exit.Should().Be(1, planner.Output);
        planner.Lines.Should().ContainSingle(l => l.Contains(" crit: ", StringComparison.Ordinal), planner.Output)
            .Which.Should().Contain("LockTimeout").And.Contain("-00:00:05");
        planner.Output.Should().NotContain("   at ", "no stack trace for a wrong option");
        (await Db.TablesAsync(db.ConnectionString)).Should().BeEmpty();
    }

    [Test]
    public async Task Without_a_connection_string_outside_Development_the_Planner_refuses_to_start_and_says_what_to_set()
    {
        using var planner = PlannerProcess.Start(connectionString: null);

        int exit = await planner.WaitForExitAsync(StartTimeout);

        exit.Should().Be(1, planner.Output);
        planner.Output.Should().Contain("ConnectionStrings__Planner").And.Contain("Development");
        planner.Output.Should().NotContain("Started a private PostgreSQL");
    }
}
