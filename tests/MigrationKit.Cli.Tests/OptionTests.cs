using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests;

/// <summary>Where the database, the folder and the history table come from.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class OptionTests
{
    private static readonly string Planner = MigrationFolder.PlannerMigrations;

    [Test]
    public async Task Database_overrides_DATABASE_URL()
    {
        await using var used = await TestDatabase.CreateAsync();
        await using var ignored = await TestDatabase.CreateAsync();

        CliResult result = await CliInProcess.RunAsync(ignored.Start(), "up", "2", "--database", used.Url, "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        (await used.VersionsAsync()).Should().Equal(1, 2);
        (await ignored.TablesAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task An_npgsql_connection_string_works_as_the_database()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "up", "--database", db.ConnectionString, "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        (await db.VersionsAsync()).Should().HaveCount(10);
    }

    [Test]
    public async Task Schema_and_table_put_the_history_where_they_say_and_options_may_come_before_the_command()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult up = await db.RunAsync("--schema", "ops", "--table", "history", "up", "--source", Planner);
        CliResult status = await db.RunAsync("status", "--json", "--schema", "ops", "--table", "history", "--source", Planner);

        up.ExitCode.Should().Be(0, up.ToString());
        (await db.VersionsAsync("\"ops\".\"history\"")).Should().HaveCount(10);
        (await db.TablesAsync()).Should().NotContain("schema_migrations");
        status.Out.Should().Contain("\"historyTable\": \"\\\"ops\\\".\\\"history\\\"\"").And.Contain("\"currentVersion\": 10");
    }

    [Test]
    public async Task Golang_migrate_url_parameters_choose_the_history_table()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await CliInProcess.RunAsync(
            new CliStart { DatabaseUrl = db.Url + "&x-migrations-table=gm_history&x-multi-statement=true" }, "up", "1", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        (await db.VersionsAsync("\"public\".\"gm_history\"")).Should().Equal(1);
        result.Error.Should().Contain("warning: the URL parameter x-multi-statement is golang-migrate's");
    }

    [Test]
    public async Task An_invalid_schema_name_is_a_usage_error()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await db.RunAsync("status", "--schema", new string('s', 64), "--source", Planner);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("Schema").And.Contain("--schema");
    }

    [Test]
    public async Task A_missing_source_folder_is_reported_by_validate()
    {
        CliResult result = await CliInProcess.RunAsync(new CliStart(), "validate", "--source", "/nonexistent/migrations");

        result.ExitCode.Should().Be(2, "a folder that does not exist is one usage error (issue 11), not a list of problems");
        result.Error.Should().Contain("--source /nonexistent/migrations: the folder does not exist");
    }

    [Test]
    public async Task Statement_timeout_stops_a_statement_that_runs_too_long()
    {
        using var folder = new MigrationFolder().Up(1, "slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(20);\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await db.RunAsync("up", "--statement-timeout", "300ms", "--source", folder.Path);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain($"{folder.File("001_slow.up.sql")}:2:1: error 57014").And.Contain("statement_timeout (300 ms");
        (await db.VersionsAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task Lock_timeout_gives_up_on_a_runner_that_holds_the_lock_too_long()
    {
        using var folder = new MigrationFolder().Up(1, "slow", "SELECT pg_sleep(20);\n");
        await using var db = await TestDatabase.CreateAsync();
        using CliProcess holder = CliProcess.Start(db.Start(), "up", "--source", folder.Path);
        await Eventually.HoldsAsync(
            async () => await db.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()") > 0,
            TimeSpan.FromSeconds(60),
            "the first runner holds the lock in its slow migration");

        CliResult waiter = await db.RunAsync("up", "--lock-timeout", "500ms", "--source", folder.Path);

        waiter.ExitCode.Should().Be(1, waiter.ToString());
        waiter.Error.Should().Contain("Another runner holds the migration lock of \"public\".\"schema_migrations\"")
            .And.MatchRegex(@"error: Timed out after 00:00:00\.5000000 \(LockTimeout\) waiting for the migration lock .* It is held by pid \d+ \(application_name 'MigrationKit'");
        (await db.VersionsAsync()).Should().BeEmpty("the holder is still in its migration");
    }
}
