using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlLexerTests
{
    private static List<(SqlTokenKind Kind, string Text)> Read(string text)
    {
        var tokens = new List<(SqlTokenKind, string)>();
        var lexer = new SqlLexer(text);
        while (lexer.TryRead(out SqlToken token))
        {
            tokens.Add((token.Kind, text.Substring(token.Start, token.Length)));
        }

        return tokens;
    }

    [Test]
    public void Letter_prefixes_make_strings_only_at_the_start_of_a_token()
    {
        Read(@"E'\'' somee'x' e'y' U&'z' u&""w"" B'1' x'F' N'n' 1e'q'").Should().Equal(
            (SqlTokenKind.EscapeString, @"E'\''"),
            (SqlTokenKind.Word, "somee"),
            (SqlTokenKind.StandardString, "'x'"),
            (SqlTokenKind.EscapeString, "e'y'"),
            (SqlTokenKind.UnicodeString, "U&'z'"),
            (SqlTokenKind.UnicodeQuotedIdentifier, "u&\"w\""),
            (SqlTokenKind.BitString, "B'1'"),
            (SqlTokenKind.HexString, "x'F'"),
            (SqlTokenKind.NationalString, "N'n'"),
            (SqlTokenKind.Number, "1e"),
            (SqlTokenKind.StandardString, "'q'"));
    }

    [Test]
    public void Dollars_make_quotes_parameters_identifier_parts_or_symbols()
    {
        Read("$$a$$ $t$b$t$ $1 $12x a$b$ $ $x y").Should().Equal(
            (SqlTokenKind.DollarString, "$$a$$"),
            (SqlTokenKind.DollarString, "$t$b$t$"),
            (SqlTokenKind.Parameter, "$1"),
            (SqlTokenKind.Parameter, "$12x"),
            (SqlTokenKind.Word, "a$b$"),
            (SqlTokenKind.Symbol, "$"),
            (SqlTokenKind.Symbol, "$"),
            (SqlTokenKind.Word, "x"),
            (SqlTokenKind.Word, "y"));
    }

    [Test]
    public void Numbers_take_their_fraction_exponent_and_trailing_junk()
    {
        Read("1.5e-3 1..2 0x1F 1_000 3.x").Should().Equal(
            (SqlTokenKind.Number, "1.5e-3"),
            (SqlTokenKind.Number, "1"),
            (SqlTokenKind.Symbol, "."),
            (SqlTokenKind.Symbol, "."),
            (SqlTokenKind.Number, "2"),
            (SqlTokenKind.Number, "0x1F"),
            (SqlTokenKind.Number, "1_000"),
            (SqlTokenKind.Number, "3.x"));
    }

    [Test]
    public void Comments_are_tokens_and_start_even_inside_an_operator()
    {
        Read("a+--c\n*/* x /* y */ */b").Should().Equal(
            (SqlTokenKind.Word, "a"),
            (SqlTokenKind.Symbol, "+"),
            (SqlTokenKind.LineComment, "--c"),
            (SqlTokenKind.Symbol, "*"),
            (SqlTokenKind.BlockComment, "/* x /* y */ */"),
            (SqlTokenKind.Word, "b"));
    }

    [Test]
    public void An_open_construct_is_one_unterminated_token_to_the_end()
    {
        var lexer = new SqlLexer("x 'abc\n;");

        lexer.TryRead(out _).Should().BeTrue();
        lexer.TryRead(out SqlToken token).Should().BeTrue();
        token.Should().Be(new SqlToken(SqlTokenKind.StandardString, 2, 6, IsUnterminated: true));
        lexer.TryRead(out _).Should().BeFalse();
    }

    [Test]
    public void Non_ascii_characters_are_identifier_characters()
    {
        Read("naïve\u00A0x 😀;").Should().Equal(
            (SqlTokenKind.Word, "naïve\u00A0x"),
            (SqlTokenKind.Word, "😀"),
            (SqlTokenKind.Semicolon, ";"));
    }
}
