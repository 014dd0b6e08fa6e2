using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlScriptMetaCommandTests
{
    [TestCase("\\set ON_ERROR_STOP on\nSELECT 1;", 1, 1, "\\set")]
    [TestCase("SELECT 1;\n  \\i other.sql\nSELECT 2;", 2, 3, "\\i")]
    [TestCase("SELECT 1;\n\\connect other\nSELECT 2;", 2, 1, "\\connect")]
    [TestCase("SELECT 1;\n\\c other\n", 2, 1, "\\c")]
    [TestCase("SELECT 1 AS x \\gset\nSELECT :x;", 1, 15, "\\gset")]
    [TestCase("\\echo 'it''s\nSELECT 1;", 1, 1, "\\echo")]
    [TestCase("SELECT 1;\n\\.\n", 2, 1, "\\.")]
    [TestCase("SELECT 1\\; SELECT 2;", 1, 9, "\\;")]
    public void A_psql_meta_command_is_an_error_at_its_backslash(string sql, int line, int column, string command)
    {
        SqlScript script = SqlScript.Parse(sql);

        SqlSyntaxError error = script.Errors.Should().ContainSingle().Subject;
        error.Kind.Should().Be(SqlSyntaxErrorKind.MetaCommand);
        error.Position.Should().Be(new SqlPosition(line, column));
        error.Message.Should().StartWith($"psql meta-command: MigrationKit sends SQL only, and {command} at line {line}, column {column} is a command of psql, not SQL.");
    }

    [Test]
    public void A_meta_command_runs_to_the_end_of_its_line_and_the_statements_around_it_keep_their_places()
    {
        SqlScript script = SqlScript.Parse("SELECT 1;\n\\set x 'it''s ; /* $$\nSELECT 2 \\gset\nSELECT 3;\n");

        script.Statements.Select(s => (s.Text, s.Position)).Should().Equal(
            ("SELECT 1", new SqlPosition(1, 1)),
            ("SELECT 2", new SqlPosition(3, 1)),
            ("SELECT 3", new SqlPosition(4, 1)));
        script.Errors.Select(e => e.Position).Should().Equal(new SqlPosition(2, 1), new SqlPosition(3, 10));
    }

    [TestCase("SELECT 'C:\\temp\\' AS path;")]
    [TestCase("SELECT E'\\\\ \\' \\n';")]
    [TestCase("-- \\set in a comment\nSELECT 1; /* \\i x */")]
    [TestCase("DO $$ BEGIN RAISE NOTICE '\\echo'; END $$;")]
    [TestCase("SELECT \"a\\b\";")]
    [TestCase("COPY t FROM stdin;\n\\N\t\\\\\n\\.\n")]
    public void A_backslash_in_a_string_comment_dollar_quote_identifier_or_copy_data_is_no_meta_command(string sql)
    {
        SqlScript.Parse(sql).Errors.Should().BeEmpty();
    }

    [Test]
    public void Each_meta_command_of_a_psql_script_is_reported()
    {
        SqlScript script = SqlScript.Parse("\\set ON_ERROR_STOP 1\n\\connect app\nCREATE TABLE t (id int);\n\\i seed.sql\n");

        script.Errors.Select(e => (e.Kind, e.Position.Line)).Should().Equal(
            (SqlSyntaxErrorKind.MetaCommand, 1), (SqlSyntaxErrorKind.MetaCommand, 2), (SqlSyntaxErrorKind.MetaCommand, 4));
        script.Statements.Select(s => s.Text).Should().Equal("CREATE TABLE t (id int)");
    }

    [Test]
    public void The_restrict_lines_pg_dump_writes_around_a_dump_are_passed_over()
    {
        SqlScript script = SqlScript.Parse("--\n-- PostgreSQL database dump\n--\n\\restrict AbC123xyz\nSET statement_timeout = 0;\nCOPY t (n) FROM stdin;\n1\n\\.\n\n\\unrestrict AbC123xyz\n");

        script.Errors.Should().BeEmpty("MigrationKit runs no meta-command, so \\restrict guards nothing");
        script.Statements.Should().HaveCount(2);
        script.Statements[1].IsCopyFromStdin.Should().BeTrue();
    }

    [Test]
    public void Any_other_meta_command_starting_with_restrict_letters_is_still_refused()
    {
        SqlScript.Parse("\\restrictions\nSELECT 1;").Errors.Should().ContainSingle();
    }
}
