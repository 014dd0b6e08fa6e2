using MigrationKit.IntegrationTests.Support;
using MigrationKit.Linting;
using MigrationKit.Sources;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Linting;

/// <summary>LintAsync and ValidateAsync against a real server: its version and its catalog's table sizes.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class LintAsyncTests
{
    [Test]
    public async Task LintAsync_says_how_big_each_table_is_and_follows_the_servers_version()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, MigrationFolder.PlannerMigrations).UpAsync();
        await Db.ExecuteAsync(db.ConnectionString, "INSERT INTO tasks (project_id, title) SELECT p.id, 'task ' || g FROM projects p, generate_series(1, 20000) g; ANALYZE tasks;");
        int serverVersion = await Db.ScalarAsync<int>(db.ConnectionString, "SELECT current_setting('server_version_num')::int / 10000");
        long bytes = await Db.ScalarAsync<long>(db.ConnectionString, "SELECT pg_total_relation_size('tasks')");

        LintReport report = await Runners.For(db, MigrationFolder.PlannerMigrations).LintAsync();

        report.ServerVersion.Should().Be(serverVersion);
        LintFinding tasks = report.Findings.First(f => f.Table == "tasks");
        tasks.EstimatedRows.Should().Be(20003);
        tasks.TotalBytes.Should().Be(bytes);
        tasks.Message.Should().EndWith($"(tasks: about 20 k rows, {Math.Round(bytes / 1048576.0, 1).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} MB)");
        report.Findings.Should().OnlyContain(f => f.TotalBytes != null, "every table the Planner's findings name exists");
    }

    [Test]
    public async Task A_table_never_analyzed_is_said_to_be_so_and_one_not_created_yet_has_no_size()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource()
            .Add(1, "create_tasks", "CREATE TABLE tasks (id bigint, note text);")
            .Add(2, "index", "CREATE INDEX tasks_note_idx ON tasks (note);")
            .Add(3, "create_labels", "CREATE TABLE labels (id bigint);")
            .Add(4, "index_labels", "CREATE INDEX labels_id_idx ON labels (id);");
        await Runners.For(db, source).UpAsync(1);

        LintReport report = await Runners.For(db, source).LintAsync();

        report.Findings.Select(f => f.Table).Should().Equal("tasks", "labels");
        report.Findings[0].EstimatedRows.Should().BeNull();
        report.Findings[0].Message.Should().MatchRegex(@"\(tasks: not analyzed yet, \d+ kB\)$");
        report.Findings[1].TotalBytes.Should().BeNull("labels does not exist in the database yet");
    }

    [Test]
    public async Task A_server_version_in_the_options_wins_over_the_servers()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource()
            .Add(1, "create_tasks", "CREATE TABLE tasks (id bigint);")
            .Add(2, "add_done", "ALTER TABLE tasks ADD COLUMN done boolean NOT NULL DEFAULT false;");

        LintReport report = await Runners.For(db, source, o => o.Lint.ServerVersion = 10).LintAsync();

        report.ServerVersion.Should().Be(10);
        report.Findings.Should().ContainSingle().Which.RuleId.Should().Be(LintRuleIds.VolatileDefaultRewrite);
    }

    [Test]
    public async Task ValidateAsync_reports_lint_findings_as_warnings_and_a_rule_made_an_error_as_an_error()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        ValidationReport report = await Runners.For(db, MigrationFolder.PlannerMigrations).ValidateAsync();
        ValidationReport strict = await Runners.For(db, MigrationFolder.PlannerMigrations, o => o.Lint.Rules[LintRuleIds.UniqueConstraintBuildsIndex] = LintSeverity.Error).ValidateAsync();

        report.IsValid.Should().BeTrue();
        report.Problems.Where(p => p.Code == ValidationCode.LintFinding).Should().HaveCount(22).And.OnlyContain(p => p.Severity == ValidationSeverity.Warning && p.RuleId != null);
        ValidationProblem first = report.Problems.First(p => p.Code == ValidationCode.LintFinding);
        first.ToString().Should().Be($"{first.Origin}:1:1: warning blocking-index-build: {first.Message}");
        strict.IsValid.Should().BeFalse();
        strict.Errors.Should().ContainSingle().Which.RuleId.Should().Be(LintRuleIds.UniqueConstraintBuildsIndex);
    }
}
