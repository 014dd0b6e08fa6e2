using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlScriptErrorTests
{
    [TestCase("SELECT 'abc", 7, "unterminated quoted string starting at line 1, column 8")]
    [TestCase("SELECT 1;\nSELECT E'abc\\'", 17, "unterminated escape string (E'...') starting at line 2, column 8")]
    [TestCase("SELECT 1;\nSELECT e'abc''", 17, "unterminated escape string (E'...') starting at line 2, column 8")]
    [TestCase("SELECT U&'abc", 7, "unterminated Unicode string (U&'...') starting at line 1, column 8")]
    [TestCase("SELECT N'abc", 7, "unterminated national character string (N'...') starting at line 1, column 8")]
    [TestCase("SELECT B'01", 7, "unterminated bit string (B'...') starting at line 1, column 8")]
    [TestCase("SELECT X'1F", 7, "unterminated hexadecimal string (X'...') starting at line 1, column 8")]
    [TestCase("SELECT 1 AS \"abc", 12, "unterminated quoted identifier starting at line 1, column 13")]
    [TestCase("SELECT 1 AS \"a\"\"", 12, "unterminated quoted identifier starting at line 1, column 13")]
    [TestCase("SELECT 1 AS U&\"abc", 12, "unterminated Unicode quoted identifier (U&\"...\") starting at line 1, column 13")]
    [TestCase("SELECT 1;\n\nDO $fn$ BEGIN\n  PERFORM 1;\nEND $$;", 14, "unterminated dollar-quoted string $fn$ starting at line 3, column 4")]
    [TestCase("SELECT $$ abc $ $", 7, "unterminated dollar-quoted string $$ starting at line 1, column 8")]
    [TestCase("SELECT 1; /* a /* b */", 10, "unterminated /* comment starting at line 1, column 11")]
    [TestCase("SELECT /* a", 7, "unterminated /* comment starting at line 1, column 8")]
    [TestCase("SELECT 'a'\n'b", 7, "unterminated quoted string starting at line 1, column 8")]
    [TestCase("SELECT '😀', '", 13, "unterminated quoted string starting at line 1, column 13")]
    public void An_unterminated_construct_is_one_error_at_its_start(string sql, int offset, string message)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.Errors.Should().ContainSingle().Which.Should().Be(
            new SqlSyntaxError(offset, script.GetPosition(offset), message));
    }

    [Test]
    public void The_statement_holding_an_unterminated_construct_runs_to_the_end_of_the_input()
    {
        const string sql = "SELECT 1;\nSELECT 'a;\nSELECT 2;\n";
        SqlScript script = SqlScript.Parse(sql);

        script.Statements.Select(s => s.Text).Should().Equal("SELECT 1", "SELECT 'a;\nSELECT 2;\n");
        script.Statements[1].Offset.Should().Be(10);
        (script.Statements[1].Offset + script.Statements[1].Length).Should().Be(sql.Length);
        script.Errors.Should().ContainSingle().Which.Position.Should().Be(new SqlPosition(2, 8));
    }

    [Test]
    public void An_unterminated_comment_alone_is_still_a_statement_so_no_text_is_silently_dropped()
    {
        SqlScript script = SqlScript.Parse("SELECT 1;\n/* forgot to close\nSELECT 2;");

        script.Statements.Select(s => s.Text).Should().Equal("SELECT 1", "/* forgot to close\nSELECT 2;");
        script.Errors.Should().ContainSingle().Which.Message.Should().Be("unterminated /* comment starting at line 2, column 1");
        script.IsEmpty.Should().BeFalse();
    }

    [TestCase("SELECT 'a''b'; SELECT E'\\''; SELECT \"x\"\"y\"; SELECT $a$ $b$ $a$; SELECT /* /* */ */ 1; -- end")]
    [TestCase("SELECT (1; -- an unclosed parenthesis is the server's to report")]
    [TestCase("CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1;")]
    [TestCase("SELECT 1 -- an unterminated-looking ' in a comment")]
    [TestCase("SELECT $1, a$b, $ ")]
    public void A_script_without_open_strings_identifiers_or_comments_has_no_errors(string sql)
    {
        SqlScript.Parse(sql).Errors.Should().BeEmpty();
    }
}
