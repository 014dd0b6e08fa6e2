using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlScriptPositionTests
{
    [Test]
    public void Statement_positions_are_the_line_and_column_of_their_first_token()
    {
        SqlScript script = SqlScript.Parse("SELECT 1;\n  SELECT 2; /* c */ SELECT 3;\n\n\t-- c\n\tSELECT\n4");

        script.Statements.Select(s => s.Position).Should().Equal(
            new SqlPosition(1, 1),
            new SqlPosition(2, 3),
            new SqlPosition(2, 21),
            new SqlPosition(5, 2));
    }

    [TestCase(0, 1, 1)]
    [TestCase(3, 1, 4)]
    [TestCase(5, 1, 6)]
    [TestCase(6, 2, 1)]
    [TestCase(7, 2, 2)]
    [TestCase(8, 3, 1)]
    [TestCase(10, 3, 3)]
    public void Get_position_counts_lines_from_line_feeds(int offset, int line, int column)
    {
        // "ab\tcd\n" "x\n" "yz": a tab is one column.
        SqlScript script = SqlScript.Parse("ab\tcd\nx\nyz");

        script.GetPosition(offset).Should().Be(new SqlPosition(line, column));
    }

    [TestCase("a\r\nb", 3, 2, 1)]
    [TestCase("a\r\nb", 2, 1, 3)]
    [TestCase("a\rb", 2, 2, 1)]
    [TestCase("a\r\rb", 3, 3, 1)]
    [TestCase("a\n\rb", 3, 3, 1)]
    [TestCase("a\n\r\nb", 4, 3, 1)]
    public void Crlf_and_lone_cr_also_end_lines(string text, int offset, int line, int column)
    {
        SqlScript.Parse(text).GetPosition(offset).Should().Be(new SqlPosition(line, column));
    }

    [Test]
    public void Columns_count_code_points_so_a_surrogate_pair_is_one_column()
    {
        const string sql = "SELECT '😀'; SELECT '𝄞𝄞', 2;\n😀 SELECT 3";
        SqlScript script = SqlScript.Parse(sql);

        script.Statements[1].Offset.Should().Be(13);
        script.Statements[1].Position.Should().Be(new SqlPosition(1, 13));
        script.GetPosition(sql.IndexOf(", 2", StringComparison.Ordinal)).Should().Be(new SqlPosition(1, 24));
        script.GetPosition(sql.LastIndexOf("SELECT", StringComparison.Ordinal)).Should().Be(new SqlPosition(2, 3));
    }

    [Test]
    public void An_offset_between_the_halves_of_a_surrogate_pair_gets_the_column_of_the_pair()
    {
        SqlScript script = SqlScript.Parse("a😀b");

        script.GetPosition(1).Should().Be(new SqlPosition(1, 2));
        script.GetPosition(2).Should().Be(new SqlPosition(1, 2));
        script.GetPosition(3).Should().Be(new SqlPosition(1, 3));
        script.GetPosition(4).Should().Be(new SqlPosition(1, 4));
    }

    [Test]
    public void Lone_surrogates_count_as_one_column_each()
    {
        SqlScript script = SqlScript.Parse("\uDC00\uD800x\uD800");

        script.GetPosition(2).Should().Be(new SqlPosition(1, 3));
        script.GetPosition(4).Should().Be(new SqlPosition(1, 5));
    }

    [Test]
    public void The_end_of_the_text_has_a_position_and_offsets_beyond_it_are_rejected()
    {
        SqlScript script = SqlScript.Parse("SELECT 1;\n");

        script.GetPosition(10).Should().Be(new SqlPosition(2, 1));
        FluentActions.Invoking(() => script.GetPosition(11)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => script.GetPosition(-1)).Should().Throw<ArgumentOutOfRangeException>();
        SqlScript.Parse(string.Empty).GetPosition(0).Should().Be(new SqlPosition(1, 1));
    }

    [Test]
    public void Position_text_reads_as_line_and_column()
    {
        new SqlPosition(3, 7).ToString().Should().Be("line 3, column 7");
    }

    [Test]
    public void A_server_error_position_maps_to_the_line_and_column_in_the_script()
    {
        const string sql = "-- header\nSELECT 1;\n\nSELECT foo bar;";
        SqlScript script = SqlScript.Parse(sql);
        SqlStatement statement = script.Statements[1];

        // PostgreSQL: ERROR: syntax error at or near "bar", position 12 (1-based, in "SELECT foo bar").
        script.GetPositionOfServerError(statement, 12).Should().Be(new SqlPosition(4, 12));
        script.GetPositionOfServerError(statement, 1).Should().Be(new SqlPosition(4, 1));
    }

    [Test]
    public void A_server_error_position_in_a_multi_line_statement_lands_on_its_line()
    {
        const string sql = "SELECT 1;\n  CREATE TABLE t (\n    a int,\n    b nosuchtype\n  );";
        SqlScript script = SqlScript.Parse(sql);
        SqlStatement statement = script.Statements[1];
        int serverPosition = statement.Text.IndexOf("nosuchtype", StringComparison.Ordinal) + 1;

        script.GetPositionOfServerError(statement, serverPosition).Should().Be(new SqlPosition(4, 7));
    }

    [Test]
    public void A_server_error_position_counts_characters_not_utf16_code_units()
    {
        const string sql = "-- 😀 header\nSELECT '😀😀', nosuch;";
        SqlScript script = SqlScript.Parse(sql);
        SqlStatement statement = script.Statements[0];

        // "SELECT '😀😀', nosuch": n is the 14th character (code point), the 16th UTF-16 code unit.
        script.GetPositionOfServerError(statement, 14).Should().Be(new SqlPosition(2, 14));
    }

    [TestCase(0)]
    [TestCase(-5)]
    [TestCase(22)]
    [TestCase(int.MaxValue)]
    public void A_server_error_position_out_of_range_gives_the_statement_start(int serverPosition)
    {
        SqlScript script = SqlScript.Parse("SELECT 1;\n  SELECT 'é😀', x");
        SqlStatement statement = script.Statements[1];

        script.GetPositionOfServerError(statement, serverPosition).Should().Be(new SqlPosition(2, 3));
    }

    [Test]
    public void A_server_error_position_just_past_the_statement_is_its_end()
    {
        // "syntax error at end of input" points just past the last character.
        SqlScript script = SqlScript.Parse("SELECT 1;\nSELECT 'é😀', (x;");
        SqlStatement statement = script.Statements[1];

        // "SELECT 'é😀', (x;" is 16 characters.
        script.GetPositionOfServerError(statement, 17).Should().Be(new SqlPosition(2, 17));
        script.GetPositionOfServerError(statement, 18).Should().Be(new SqlPosition(2, 1));
    }

    [Test]
    public void A_server_error_position_needs_a_statement_of_the_same_script()
    {
        SqlScript script = SqlScript.Parse("SELECT 1");
        SqlStatement other = SqlScript.Parse("SELECT 1").Statements[0];

        FluentActions.Invoking(() => script.GetPositionOfServerError(other, 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => script.GetPositionOfServerError(null!, 1)).Should().Throw<ArgumentNullException>();
    }
}
