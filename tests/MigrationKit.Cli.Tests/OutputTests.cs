using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests;

/// <summary>Colour and in-place progress only for a person at a terminal.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class OutputTests
{
    private const string Escape = "\u001b[";

    [Test]
    public async Task A_terminal_gets_colour()
    {
        using MigrationFolder folder = CleanFolder();

        CliResult result = await CliInProcess.RunAsync(new CliStart { Terminal = true }, "validate", "--source", folder.Path);

        result.Out.Should().Contain($"{Escape}32mNo problems{Escape}0m");
    }

    [Test]
    public async Task NO_COLOR_turns_colour_off_even_on_a_terminal()
    {
        var start = new CliStart { Terminal = true, Environment = { ["NO_COLOR"] = "1" } };
        using MigrationFolder folder = CleanFolder();

        CliResult result = await CliInProcess.RunAsync(start, "validate", "--source", folder.Path);

        result.Out.Should().Contain("No problems").And.NotContain(Escape);
    }

    [Test]
    public async Task Output_that_is_not_a_terminal_gets_no_colour()
    {
        using var folder = new MigrationFolder().Write("bad.sql", "SELECT 1;");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "validate", "--source", folder.Path);

        result.Out.Should().Contain("error InvalidFileName").And.NotContain(Escape);
    }

    [Test]
    public async Task On_a_terminal_each_script_line_is_completed_in_place()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await CliInProcess.RunAsync(db.Start() with { Terminal = true, Environment = new() { ["NO_COLOR"] = "1" } }, "up", "2", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain($"  up   1 create_projects_table …\r{Escape}2K  up   1 create_projects_table  applied in ");
        result.Out.Should().NotContain("...");
    }

    /// <summary>A folder validate finds nothing in (the Planner's has lint warnings).</summary>
    private static MigrationFolder CleanFolder() => new MigrationFolder().Up(1, "create_things", "CREATE TABLE things (id bigint PRIMARY KEY);\n", "DROP TABLE things;\n");
}
