using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

[Parallelizable(ParallelScope.All)]
public sealed class PlanCommandTests
{
    private static readonly string Planner = MigrationFolder.PlannerMigrations;

    [Test]
    public async Task Plan_lists_what_up_would_run_and_runs_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "3", "--source", Planner);

        CliResult result = await db.RunAsync("plan", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().StartWith($"Database \"{db.Name}\"").And.Contain("version 3 to 10, 7 scripts:");
        result.Out.Should().MatchRegex(@"(?m)^  up +4 create_disputes_table +\S*004_create_disputes_table\.up\.sql$");
        result.Out.Should().MatchRegex(@"(?m)^  up +10 seed_data +\S*010_seed_data\.up\.sql$");
        result.Out.Should().NotContain("create_steps_table").And.NotContain("CREATE TABLE");
        (await db.VersionsAsync()).Should().Equal(1, 2, 3);
    }

    [Test]
    public async Task Plan_with_sql_prints_each_script_after_the_steps()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "9", "--source", Planner);

        CliResult result = await db.RunAsync("plan", "--sql", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        string seed = File.ReadAllText(Path.Combine(Planner, "010_seed_data.up.sql")).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
        result.Out.Should().Contain($"-- up 10 seed_data: {Path.Combine(Planner, "010_seed_data.up.sql")}\n{seed}");
        (await db.VersionsAsync()).Should().HaveCount(9);
    }

    [Test]
    public async Task Plan_with_a_target_shows_the_down_scripts_of_a_goto()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);

        CliResult result = await db.RunAsync("plan", "--target", "8", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("version 10 to 8, 2 scripts:")
            .And.MatchRegex(@"(?m)^  down 10 seed_data +\S*010_seed_data\.down\.sql$")
            .And.MatchRegex(@"(?m)^  down +9 create_triggers +\S*009_create_triggers\.down\.sql$");
    }

    [Test]
    public async Task Plan_with_nothing_pending_says_so()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", Planner);

        CliResult result = await db.RunAsync("plan", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().StartWith("Nothing to run: ").And.Contain("is at version 10.");
    }
}
