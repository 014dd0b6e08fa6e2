using MigrationKit.Linting;

namespace MigrationKit.Tests.Linting;

[Parallelizable(ParallelScope.All)]
public sealed class LintContextTests
{
    private const string NewTableWork = """
        CREATE TABLE labels (id bigint PRIMARY KEY, task_id bigint, name varchar(20), color text);
        CREATE INDEX labels_task_id_idx ON labels (task_id);
        ALTER TABLE labels ADD CONSTRAINT labels_name_check CHECK (name <> '');
        ALTER TABLE labels ADD CONSTRAINT labels_name_key UNIQUE (name);
        ALTER TABLE labels ALTER COLUMN name TYPE integer USING 0, ALTER COLUMN color SET NOT NULL;
        ALTER TABLE labels ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
        UPDATE labels SET color = 'red';
        ALTER TABLE labels RENAME COLUMN color TO colour;
        DROP INDEX labels_task_id_idx;
        DROP TABLE labels;
        """;

    [Test]
    public void A_table_created_earlier_in_the_same_migration_is_new_so_nothing_done_to_it_is_a_finding() =>
        LintFolder.Lint(NewTableWork).Findings.Should().BeEmpty();

    [Test]
    public void A_table_created_by_an_earlier_migration_exists_when_the_folder_is_linted()
    {
        LintReport report = LintFolder.Lint(
            "CREATE TABLE labels (id bigint PRIMARY KEY, task_id bigint);",
            "CREATE INDEX labels_task_id_idx ON labels (task_id);");

        report.Findings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { RuleId = "blocking-index-build", Version = 2L, Table = "labels" });
    }

    [Test]
    public void A_table_created_by_an_earlier_pending_migration_of_the_same_run_is_new()
    {
        Migration[] folder = LintFolder.Folder(
            "CREATE TABLE tasks (id bigint PRIMARY KEY);",
            "CREATE TABLE labels (id bigint PRIMARY KEY, task_id bigint);",
            "CREATE INDEX labels_task_id_idx ON labels (task_id);\nCREATE INDEX tasks_id_idx ON tasks (id);");

        LintReport pending = new MigrationLinter().LintPending(folder, [2, 3]);

        pending.MigrationCount.Should().Be(2);
        pending.Findings.Should().ContainSingle(pending.Describe()).Which.Table.Should().Be("tasks", "tasks was created by an applied migration");
    }

    [Test]
    public void A_table_created_by_an_applied_migration_exists_for_a_pending_one()
    {
        Migration[] folder = LintFolder.Folder(
            "CREATE TABLE labels (id bigint PRIMARY KEY, task_id bigint);",
            "CREATE INDEX labels_task_id_idx ON labels (task_id);");

        LintReport pending = new MigrationLinter().LintPending(folder, [2]);

        pending.Rules().Should().Equal("blocking-index-build");
    }

    [Test]
    public void Only_the_pending_migrations_are_linted_in_a_run()
    {
        Migration[] folder = LintFolder.Folder(LintFolder.Tables, "DROP INDEX tasks_status_idx;", "DROP INDEX tasks_title_idx;");

        LintReport pending = new MigrationLinter().LintPending(folder, [3]);

        pending.Findings.Should().ContainSingle().Which.Version.Should().Be(3);
    }

    [Test]
    public void Migrations_are_read_in_version_order_whatever_order_they_come_in()
    {
        Migration[] folder = LintFolder.Folder("CREATE TABLE t (id int);", "CREATE INDEX t_id_idx ON t (id);");

        LintReport report = new MigrationLinter().Lint(folder.Reverse());

        report.Findings.Should().ContainSingle().Which.Version.Should().Be(2);
    }

    [Test]
    public void Create_table_if_not_exists_of_an_existing_table_leaves_it_existing()
    {
        LintReport report = LintFolder.Lint(
            "CREATE TABLE t (id int);",
            "CREATE TABLE IF NOT EXISTS t (id int);\nCREATE INDEX t_id_idx ON t (id);");

        report.Rules().Should().Equal("blocking-index-build");
    }

    [TestCase(10, true)]
    [TestCase(11, false)]
    [TestCase(15, false)]
    public void A_constant_default_rewrites_the_table_only_before_postgresql_11(int serverVersion, bool reported)
    {
        LintReport report = LintFolder.Lint(
            new MigrationLintOptions { ServerVersion = serverVersion },
            LintFolder.Tables,
            "ALTER TABLE tasks ADD COLUMN archived boolean NOT NULL DEFAULT false, ADD COLUMN created_at timestamptz DEFAULT now(), ADD COLUMN deleted_at timestamptz DEFAULT NULL;");

        report.ServerVersion.Should().Be(serverVersion);
        if (reported)
        {
            report.Rules().Should().Equal("volatile-default-rewrite", "volatile-default-rewrite");
            report.Findings[0].Message.Should().Contain("before PostgreSQL 11");
        }
        else
        {
            report.Findings.Should().BeEmpty(report.Describe());
        }
    }

    [TestCase(11, true)]
    [TestCase(12, false)]
    public void A_validated_not_null_check_spares_the_scan_of_set_not_null_from_postgresql_12_on(int serverVersion, bool reported)
    {
        LintReport report = LintFolder.Lint(
            new MigrationLintOptions { ServerVersion = serverVersion },
            LintFolder.Tables,
            "ALTER TABLE tasks ADD CONSTRAINT tasks_note_not_null CHECK ((note IS NOT NULL)) NOT VALID;",
            "ALTER TABLE tasks VALIDATE CONSTRAINT tasks_note_not_null;",
            "ALTER TABLE tasks ALTER COLUMN note SET NOT NULL;");

        report.Rules().Should().Equal(reported ? ["set-not-null-scan"] : []);
    }

    [Test]
    public void A_not_valid_check_that_was_never_validated_does_not_spare_the_scan()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            "ALTER TABLE tasks ADD CONSTRAINT tasks_note_not_null CHECK (note IS NOT NULL) NOT VALID;",
            "ALTER TABLE tasks ALTER COLUMN note SET NOT NULL;");

        report.Rules().Should().Equal("set-not-null-scan");
    }

    [TestCase(11, "has no REINDEX CONCURRENTLY")]
    [TestCase(15, "Use REINDEX … CONCURRENTLY.")]
    public void The_reindex_advice_follows_the_server_version(int serverVersion, string advice)
    {
        LintReport report = LintFolder.Lint(new MigrationLintOptions { ServerVersion = serverVersion }, LintFolder.Tables, "REINDEX TABLE tasks;");

        report.Findings.Should().ContainSingle().Which.Message.Should().Contain(advice);
    }

    [Test]
    public void Without_a_version_the_rules_follow_postgresql_15() =>
        LintFolder.Lint("SELECT 1;").ServerVersion.Should().Be(15);

    [Test]
    public void In_a_folder_with_deploy_phases_a_drop_outside_a_post_migration_is_an_error()
    {
        LintReport report = LintFolder.Lint(
            LintFolder.Tables,
            "ALTER TABLE tasks DROP COLUMN note;\nALTER TABLE tasks RENAME COLUMN status TO state;",
            "-- migrationkit:phase post\nALTER TABLE tasks DROP COLUMN amount;\nALTER TABLE tasks RENAME COLUMN title TO name;");

        report.Findings.Select(f => (f.Version, f.RuleId, f.Severity)).Should().Equal(
            (2L, "breaking-drop", LintSeverity.Error),
            (2L, "breaking-rename", LintSeverity.Error),
            (3L, "breaking-rename", LintSeverity.Warning));
        report.HasErrors.Should().BeTrue();
        report.Findings[0].Message.Should().Contain("deploy phases");
    }

    [Test]
    public void Without_deploy_phases_breaking_changes_are_warnings()
    {
        LintReport report = LintFolder.Lint(LintFolder.Tables, "ALTER TABLE tasks DROP COLUMN note;");

        report.Findings.Should().ContainSingle().Which.Severity.Should().Be(LintSeverity.Warning);
        report.HasErrors.Should().BeFalse();
    }

    [Test]
    public void Configured_severities_win_over_the_defaults_and_off_removes_the_finding()
    {
        var options = new MigrationLintOptions();
        options.Rules["BLOCKING-INDEX-BUILD"] = LintSeverity.Error;
        options.Rules["breaking-drop"] = LintSeverity.Off;
        options.Rules["breaking-rename"] = LintSeverity.Info;

        LintReport report = LintFolder.Lint(
            options,
            LintFolder.Tables,
            "-- migrationkit:phase pre\nCREATE INDEX tasks_note_idx ON tasks (note);\nALTER TABLE tasks DROP COLUMN note;\nALTER TABLE projects RENAME TO portfolios;",
            "-- migrationkit:phase post\nSELECT 1;");

        report.Findings.Select(f => (f.RuleId, f.Severity)).Should().Equal(
            ("blocking-index-build", LintSeverity.Error),
            ("breaking-rename", LintSeverity.Info));
        report.HasErrors.Should().BeTrue();
    }

    [Test]
    public void Options_that_name_no_rule_are_refused_with_the_list_of_rules()
    {
        var options = new MigrationLintOptions { ServerVersion = 8 };
        options.Rules["blocking-index"] = LintSeverity.Error;

        Action create = () => _ = new MigrationLinter(options);

        create.Should().Throw<ArgumentException>()
            .WithMessage("*'blocking-index'*blocking-index-build*")
            .WithMessage("*ServerVersion*from 9 on*");
    }

    [Test]
    public void The_linter_copies_its_options()
    {
        var options = new MigrationLintOptions();
        var linter = new MigrationLinter(options);
        options.Rules["blocking-index-build"] = LintSeverity.Off;

        linter.Lint(LintFolder.Folder(LintFolder.Tables, "CREATE INDEX i ON tasks (note);")).Rules().Should().Equal("blocking-index-build");
    }

    [Test]
    public void The_report_counts_the_migrations_and_statements_it_linted()
    {
        LintReport report = LintFolder.Lint("SELECT 1; SELECT 2;", "-- nothing\n", "SELECT 3");

        report.MigrationCount.Should().Be(3);
        report.StatementCount.Should().Be(3);
    }
}
