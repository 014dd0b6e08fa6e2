namespace MigrationKit.Sql;

/// <summary>The kinds of token <see cref="SqlLexer"/> reads.</summary>
internal enum SqlTokenKind
{
    /// <summary>No token (the default value).</summary>
    None,

    /// <summary>An unquoted identifier or keyword: <c>select</c>, <c>a$b</c>, <c>_x1</c>.</summary>
    Word,

    /// <summary>A quoted identifier: <c>"a ""b"""</c>.</summary>
    QuotedIdentifier,

    /// <summary>A quoted identifier with Unicode escapes: <c>U&amp;"d\0061t"</c>.</summary>
    UnicodeQuotedIdentifier,

    /// <summary>A standard string: <c>'it''s'</c> (a backslash is an ordinary character).</summary>
    StandardString,

    /// <summary>An escape string: <c>E'it\'s'</c>.</summary>
    EscapeString,

    /// <summary>A string with Unicode escapes: <c>U&amp;'d\0061t'</c>.</summary>
    UnicodeString,

    /// <summary>A national character string: <c>N'abc'</c>.</summary>
    NationalString,

    /// <summary>A bit string: <c>B'0101'</c>.</summary>
    BitString,

    /// <summary>A hexadecimal bit string: <c>X'1F'</c>.</summary>
    HexString,

    /// <summary>A dollar-quoted string: <c>$$...$$</c> or <c>$tag$...$tag$</c>.</summary>
    DollarString,

    /// <summary>A number, with any trailing identifier characters PostgreSQL would reject as junk: <c>1.5e3</c>, <c>0x1F</c>.</summary>
    Number,

    /// <summary>A positional parameter: <c>$1</c>.</summary>
    Parameter,

    /// <summary><c>(</c>.</summary>
    OpenParenthesis,

    /// <summary><c>)</c>.</summary>
    CloseParenthesis,

    /// <summary><c>;</c>.</summary>
    Semicolon,

    /// <summary>Any other single character: an operator character, punctuation, or a character SQL does not use.</summary>
    Symbol,

    /// <summary>A <c>--</c> comment, up to but excluding the end of the line.</summary>
    LineComment,

    /// <summary>A <c>/* */</c> comment; these nest.</summary>
    BlockComment,

    /// <summary>
    /// A psql meta-command: a backslash outside any other token and the rest of its line, such as <c>\set x 1</c>.
    /// </summary>
    MetaCommand,
}
