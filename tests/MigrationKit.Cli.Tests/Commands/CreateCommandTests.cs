using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

[Parallelizable(ParallelScope.All)]
public sealed class CreateCommandTests
{
    [Test]
    public async Task Create_in_a_new_project_makes_the_migrations_folder_and_version_001()
    {
        using var project = new MigrationFolder();

        CliResult result = await CliProcess.RunAsync(new CliStart { WorkingDirectory = project.Path }, "create", "add", "task", "labels");

        result.ExitCode.Should().Be(0, result.ToString());
        string migrations = Path.Combine(project.Path, "migrations");
        Directory.GetFiles(migrations).Select(Path.GetFileName).Should().BeEquivalentTo("001_add_task_labels.up.sql", "001_add_task_labels.down.sql");
        result.Out.Should().Be(
            $"Created ./migrations/001_add_task_labels.up.sql{Environment.NewLine}Created ./migrations/001_add_task_labels.down.sql{Environment.NewLine}");
    }

    [Test]
    public async Task Create_next_to_the_planner_migrations_writes_011_and_up_runs_it()
    {
        using var folder = MigrationFolder.Planner();
        await using var db = await TestDatabase.CreateAsync();

        CliResult created = await CliInProcess.RunAsync(new CliStart(), "create", "Add task labels", "--source", folder.Path);
        folder.Write("011_add_task_labels.up.sql", "ALTER TABLE tasks ADD COLUMN labels text[];\n");
        CliResult up = await db.RunAsync("up", "--source", folder.Path);

        created.ExitCode.Should().Be(0, created.ToString());
        folder.Files().Should().Contain(["011_add_task_labels.up.sql", "011_add_task_labels.down.sql"]);
        up.ExitCode.Should().Be(0, up.ToString());
        (await db.VersionsAsync()).Should().EndWith(11);
    }

    [Test]
    public async Task Create_with_timestamp_and_with_digits_choose_the_version_form()
    {
        using var folder = new MigrationFolder();

        CliResult timestamped = await CliInProcess.RunAsync(new CliStart(), "create", "stamped", "--timestamp", "--source", folder.Path);
        using var other = new MigrationFolder();
        CliResult padded = await CliInProcess.RunAsync(new CliStart(), "create", "padded", "--digits", "5", "--source", other.Path);

        timestamped.ExitCode.Should().Be(0, timestamped.ToString());
        folder.Files().Should().ContainSingle(f => f.EndsWith("_stamped.up.sql", StringComparison.Ordinal))
            .Which.Should().MatchRegex(@"^20\d{12}_stamped\.up\.sql$");
        padded.ExitCode.Should().Be(0, padded.ToString());
        other.Files().Should().Contain("00001_padded.up.sql");
    }

    [Test]
    public async Task A_description_that_tries_to_leave_the_folder_writes_only_inside_it()
    {
        using var project = new MigrationFolder();
        string migrations = Path.Combine(project.Path, "db", "migrations");

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "create", "../../../escaped", "--source", migrations);

        result.ExitCode.Should().Be(0, result.ToString());
        Directory.GetFiles(project.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(migrations, f))
            .Should().BeEquivalentTo("001_escaped.up.sql", "001_escaped.down.sql");
    }

    [Test]
    public async Task A_description_with_nothing_usable_is_a_usage_error_and_writes_nothing()
    {
        using var folder = new MigrationFolder();

        CliResult result = await CliInProcess.RunAsync(new CliStart(), "create", "!!!", "--source", folder.Path);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("has nothing left");
        folder.Files().Should().BeEmpty();
    }
}
