using MigrationKit.Validation;

namespace MigrationKit.Tests.Running;

public sealed class MigrationValidatorTests
{
    [Test]
    public void History_checks_find_drift_missing_future_dirty_and_out_of_order_versions()
    {
        IReadOnlyList<Migration> source = [Make(1), Make(2, "SELECT 'edited'"), Make(4), Make(5)];
        var history = new List<AppliedMigration>
        {
            Row(1), Row(2), Row(3), Row(5, dirty: true), Row(9),
        };
        var problems = new List<ValidationProblem>();

        MigrationValidator.CheckHistory(source, history, new MigrationOptions(), problems);

        problems.Select(p => (p.Code, p.Version, p.Severity)).Should().BeEquivalentTo(new (ValidationCode, long?, ValidationSeverity)[]
        {
            (ValidationCode.ChecksumDrift, 2, ValidationSeverity.Error),
            (ValidationCode.MissingFromSource, 3, ValidationSeverity.Error),
            (ValidationCode.Dirty, 5, ValidationSeverity.Error),
            (ValidationCode.FutureVersion, 9, ValidationSeverity.Warning),
            (ValidationCode.OutOfOrder, 4, ValidationSeverity.Error),
        });
    }

    [Test]
    public void Out_of_order_is_only_a_note_when_the_policy_applies_it()
    {
        var problems = new List<ValidationProblem>();

        MigrationValidator.CheckHistory([Make(1), Make(2)], [Row(2)], new MigrationOptions { OutOfOrder = OutOfOrderPolicy.Apply }, problems);

        problems.Should().ContainSingle(p => p.Code == ValidationCode.OutOfOrder && p.Severity == ValidationSeverity.Info);
    }

    [Test]
    public void Policies_require_down_scripts_and_sequential_versions_when_asked()
    {
        var problems = new List<ValidationProblem>();

        MigrationValidator.CheckPolicies([Make(1), Make(2), Make(4)], new MigrationOptions { RequireDownScripts = true, RequireSequentialVersions = true }, problems);

        problems.Where(p => p.Code == ValidationCode.MissingDownScript).Should().HaveCount(3).And.OnlyContain(p => p.Severity == ValidationSeverity.Error);
        problems.Should().ContainSingle(p => p.Code == ValidationCode.VersionGap && p.Version == 4);
    }

    [Test]
    public void A_problem_reads_as_file_line_column_severity_code_and_message()
    {
        new ValidationProblem(ValidationCode.SyntaxError, ValidationSeverity.Error, "unterminated string") { Version = 3, Origin = "m/003_x.up.sql", Line = 4, Column = 7 }
            .ToString().Should().Be("m/003_x.up.sql:4:7: error SyntaxError: unterminated string");
        new ValidationProblem(ValidationCode.EmptyScript, ValidationSeverity.Warning, "empty") { Version = 3, Origin = "m/003_x.up.sql" }
            .ToString().Should().Be("m/003_x.up.sql: warning EmptyScript: empty");
    }

    private static Migration Make(long version, string sql = "SELECT 1") => MigrationPlannerTests.Make(version, down: false, sql);

    private static AppliedMigration Row(long version, bool dirty = false) =>
        new() { Version = version, Description = $"m{version}", Checksum = MigrationScript.ComputeChecksum("SELECT 1"), IsDirty = dirty, AppliedAt = DateTimeOffset.UnixEpoch, AppliedBy = "test" };
}
