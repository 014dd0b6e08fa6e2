using MigrationKit.Linting;

namespace MigrationKit.Tests.Linting;

[Parallelizable(ParallelScope.All)]
public sealed class LintSuppressionTests
{
    [Test]
    public void A_suppression_with_a_reason_on_the_line_before_a_statement_silences_that_statement_only()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            """
            -- migrationkit:allow blocking-index-build tasks holds a few hundred rows in every deployment
            CREATE INDEX tasks_note_idx ON tasks (note);
            CREATE INDEX tasks_amount_idx ON tasks (amount);
            """);

        report.Findings.Should().ContainSingle(report.Describe()).Which.Should().BeEquivalentTo(new { RuleId = "blocking-index-build", Line = 3 });
    }

    [Test]
    public void A_suppression_without_a_reason_still_silences_but_is_a_finding_itself()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            "SELECT 1;\n-- migrationkit:allow blocking-index-build\nCREATE INDEX tasks_note_idx ON tasks (note);");

        report.Findings.Should().ContainSingle(report.Describe()).Which.Should().BeEquivalentTo(new
        {
            RuleId = "suppression-missing-reason",
            Line = 2,
            Column = 1,
            Lock = (string?)null,
            Blocks = BlockedOperations.None,
        });
    }

    [Test]
    public void A_suppression_that_suppresses_nothing_is_a_finding()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            "-- migrationkit:allow breaking-drop the column is gone from the app since 4.2\nCREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_note_idx ON tasks (note);");

        report.Findings.Should().ContainSingle(report.Describe()).Which.Should().BeEquivalentTo(new { RuleId = "suppression-unused", Line = 1 });
        report.Findings[0].Message.Should().Contain("breaking-drop found nothing on the statement below it");
    }

    [Test]
    public void A_suppression_of_a_rule_that_does_not_exist_lists_the_rules()
    {
        LintReport report = LintFolder.Lint("-- migrationkit:allow blocking-index because it is small\nSELECT 1;");

        report.Findings.Should().ContainSingle().Which.Message.Should().Contain("there is no lint rule blocking-index").And.Contain("blocking-index-build");
    }

    [Test]
    public void A_suppression_at_the_top_of_the_file_followed_by_a_blank_line_covers_the_whole_file()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            """
            -- Backfill indexes for the reporting screens.
            -- migrationkit:allow blocking-index-build,blocking-index-drop tasks is tiny: one row per team

            CREATE INDEX tasks_note_idx ON tasks (note);
            DROP INDEX tasks_status_idx;
            CREATE INDEX tasks_amount_idx ON tasks (amount);
            UPDATE tasks SET note = '';
            """);

        report.Rules().Should().Equal(["unbounded-data-change"], report.Describe());
    }

    [Test]
    public void A_suppression_at_the_top_right_above_the_first_statement_covers_that_statement()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            "-- Indexes nobody uses.\n-- migrationkit:allow blocking-index-drop the index is unused and tiny\nDROP INDEX tasks_status_idx;\nDROP INDEX IF EXISTS tasks_title_idx;");

        report.Findings.Should().ContainSingle(report.Describe()).Which.Should().BeEquivalentTo(new { RuleId = "blocking-index-drop", Line = 4 });
    }

    [Test]
    public void A_suppression_inside_a_statement_covers_that_statement()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            "ALTER TABLE tasks\n    -- migrationkit:allow breaking-drop nothing reads note since 4.2\n    DROP COLUMN note,\n    ALTER COLUMN status SET NOT NULL;");

        report.Rules().Should().Equal(["set-not-null-scan"], report.Describe());
    }

    [Test]
    public void A_suppression_names_one_rule_and_others_on_the_statement_are_still_reported()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            "-- migrationkit:allow column-type-rewrite tasks is small\nALTER TABLE tasks ALTER COLUMN project_id TYPE int, DROP COLUMN note;");

        report.Rules().Should().Equal("breaking-drop");
    }

    [Test]
    public void A_suppression_after_the_last_statement_suppresses_nothing()
    {
        LintReport report = LintFolder.Lint(LintFolder.Tables, "SELECT 1;\n-- migrationkit:allow breaking-drop later\n");

        report.Findings.Should().ContainSingle().Which.Message.Should().Contain("no statement follows it");
    }

    [TestCase("SELECT 1;\n-- migrationkit:no-transaction\nSELECT 2;", "after the first statement")]
    [TestCase("-- migrationkit:no-transaction because of the index\nSELECT 1;", "text follows it")]
    [TestCase("-- migrationkit:phase later\nSELECT 1;", "is not a phase")]
    [TestCase("-- migrationkit:phase post\n-- migrationkit:phase pre\nSELECT 1;", "the first one counts")]
    [TestCase("-- migrationkit:no-transactions\nSELECT 1;", "not a directive MigrationKit knows")]
    [TestCase("-- migrationkit:allow\nSELECT 1;", "names no rule")]
    [TestCase("SELECT 1;\n--migrationkit:phase post", "after the first statement")]
    public void A_directive_that_has_no_effect_is_a_finding(string script, string message)
    {
        LintReport report = LintFolder.Lint(script);

        report.Findings.Should().ContainSingle(report.Describe()).Which.Should().BeEquivalentTo(new { RuleId = "ignored-directive", Version = 1L });
        report.Findings[0].Message.Should().Contain(message);
    }

    [Test]
    public void Directives_that_work_are_no_finding() =>
        LintFolder.Lint("-- migrationkit:no-transaction\n--   MIGRATIONKIT:Phase   Post  \nSELECT 1;").Findings.Should().BeEmpty();

    [Test]
    public void Suppression_findings_can_be_turned_off_like_any_rule()
    {
        var options = new MigrationLintOptions();
        options.Rules["suppression-missing-reason"] = LintSeverity.Off;

        LintFolder.Lint(options, LintFolder.Tables, "-- migrationkit:allow breaking-drop\nALTER TABLE tasks DROP COLUMN note;").Findings.Should().BeEmpty();
    }
}
