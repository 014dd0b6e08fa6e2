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

    [Test]
    public void A_psql_meta_command_is_an_error_at_its_file_line_and_column()
    {
        Migration migration = Make(3, "CREATE TABLE t (id int);\n\\i seed.sql\n");
        var problems = new List<ValidationProblem>();

        MigrationValidator.CheckScript(migration, migration.Up, problems);

        ValidationProblem problem = problems.Should().ContainSingle().Subject;
        problem.Should().Match<ValidationProblem>(p => p.Code == ValidationCode.PsqlMetaCommand && p.Severity == ValidationSeverity.Error
            && p.Version == 3 && p.Origin == "3_m3.up.sql" && p.Line == 2 && p.Column == 1);
        problem.ToString().Should().StartWith("3_m3.up.sql:2:1: error PsqlMetaCommand: psql meta-command: MigrationKit sends SQL only, and \\i at line 2, column 1 is a command of psql, not SQL.");
        problem.Message.Should().EndWith("The script cannot run as written; nothing of it was sent to the server.");
    }

    [Test]
    public void Copy_data_without_its_end_marker_is_a_syntax_error_at_the_copy()
    {
        Migration migration = Make(4, "-- seed\nCOPY t (id) FROM stdin;\n1\n2\n");
        var problems = new List<ValidationProblem>();

        MigrationValidator.CheckScript(migration, migration.Up, problems);

        problems.Should().ContainSingle().Which.Should().Match<ValidationProblem>(p => p.Code == ValidationCode.SyntaxError
            && p.Severity == ValidationSeverity.Error && p.Line == 2 && p.Column == 1 && p.Message.Contains("no line holding only \\. ends it"));
    }

    [Test]
    public void A_well_formed_copy_from_stdin_is_no_problem()
    {
        Migration migration = Make(5, "COPY t (id, note) FROM stdin;\n1\tit's; a \\N\n\\.\n");
        var problems = new List<ValidationProblem>();

        MigrationValidator.CheckScript(migration, migration.Up, problems);

        problems.Should().BeEmpty();
    }

    private static Migration Make(long version, string sql = "SELECT 1") => MigrationPlannerTests.Make(version, down: false, sql);

    private static AppliedMigration Row(long version, bool dirty = false) =>
        new() { Version = version, Description = $"m{version}", Checksum = MigrationScript.ComputeChecksum("SELECT 1"), IsDirty = dirty, AppliedAt = DateTimeOffset.UnixEpoch, AppliedBy = "test" };
}
