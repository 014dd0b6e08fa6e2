using MigrationKit.Linting;
using MigrationKit.Sources;

namespace MigrationKit.Tests.Linting;

/// <summary>The Planner sample's folder: what lint finds in a real, ordinary folder, finding by finding.</summary>
public sealed class LintPlannerTests
{
    private static readonly string Folder = Path.Combine(TestContext.CurrentContext.TestDirectory, "Planner");

    [Test]
    public async Task The_planner_folder_gets_its_index_and_constraint_findings_and_nothing_else()
    {
        IReadOnlyList<Migration> migrations = await new FileSystemMigrationSource(Folder).LoadAsync();

        LintReport report = new MigrationLinter().Lint(migrations);

        report.Findings.Select(f => $"{Path.GetFileName(f.Origin)}:{f.Line}:{f.Column} {f.RuleId} {f.Table}").Should().Equal(
            "006_add_indexes.up.sql:1:1 blocking-index-build tasks",
            "006_add_indexes.up.sql:2:1 blocking-index-build tasks",
            "006_add_indexes.up.sql:3:1 blocking-index-build steps",
            "006_add_indexes.up.sql:4:1 blocking-index-build disputes",
            "006_add_indexes.up.sql:5:1 blocking-index-build disputes",
            "006_add_indexes.up.sql:6:1 blocking-index-build disputes",
            "006_add_indexes.up.sql:7:1 blocking-index-build audit_logs",
            "006_add_indexes.up.sql:8:1 blocking-index-build audit_logs",
            "006_add_indexes.up.sql:9:1 blocking-index-build audit_logs",
            "007_add_constraints.up.sql:2:5 constraint-validates-under-lock projects",
            "007_add_constraints.up.sql:5:5 constraint-validates-under-lock tasks",
            "007_add_constraints.up.sql:6:5 constraint-validates-under-lock tasks",
            "007_add_constraints.up.sql:7:5 constraint-validates-under-lock tasks",
            "007_add_constraints.up.sql:10:5 constraint-validates-under-lock steps",
            "007_add_constraints.up.sql:11:5 constraint-validates-under-lock steps",
            "007_add_constraints.up.sql:12:5 unique-constraint-builds-index steps",
            "007_add_constraints.up.sql:15:5 constraint-validates-under-lock disputes",
            "007_add_constraints.up.sql:16:5 constraint-validates-under-lock disputes",
            "007_add_constraints.up.sql:17:5 constraint-validates-under-lock disputes",
            "007_add_constraints.up.sql:18:5 constraint-validates-under-lock disputes",
            "007_add_constraints.up.sql:19:5 constraint-validates-under-lock disputes",
            "007_add_constraints.up.sql:22:5 constraint-validates-under-lock audit_logs");
        report.Findings.Should().OnlyContain(f => f.Severity == LintSeverity.Warning);
        report.MigrationCount.Should().Be(10);
    }

    [Test]
    public async Task Deployed_at_once_on_an_empty_database_the_planner_folder_has_no_finding()
    {
        IReadOnlyList<Migration> migrations = await new FileSystemMigrationSource(Folder).LoadAsync();

        LintReport report = new MigrationLinter().LintPending(migrations, migrations.Select(m => m.Version));

        report.Findings.Should().BeEmpty("every table is created by the same run, so it is empty when indexed");
    }
}
