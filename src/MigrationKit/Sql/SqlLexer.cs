namespace MigrationKit.Sql;

/// <summary>
/// Reads PostgreSQL tokens from a text, one at a time and without allocating, following the backend's lexical
/// rules (scan.l) with standard_conforming_strings on.
/// </summary>
/// <remarks>
/// <para>
/// Whitespace is skipped; comments are returned as tokens. Anything at all can be read: a string, quoted
/// identifier, dollar-quoted string or block comment still open at the end of the input becomes a token that runs
/// to the end and is marked <see cref="SqlToken.IsUnterminated"/>, and a character SQL has no use for becomes a
/// <see cref="SqlTokenKind.Symbol"/>.
/// </para>
/// <para>
/// The rules that matter for finding where statements end: <c>''</c> doubles a quote in every kind of string;
/// only <c>E'...'</c> strings treat a backslash as an escape; a string followed by whitespace that contains a
/// newline and then another quote continues (SQL's string continuation), in the same kind; a letter prefix
/// (<c>E</c>, <c>B</c>, <c>X</c>, <c>N</c>, <c>U&amp;</c>) only counts when it starts a token; a dollar quote's tag
/// is an identifier without <c>$</c> and the body ends at the first identical tag; <c>$1</c> is a parameter;
/// identifiers may contain <c>$</c> after their first character; any non-ASCII character is an identifier
/// character (as every byte above 0x7F is to PostgreSQL); <c>--</c> and <c>/*</c> start a comment wherever they
/// appear outside a token, even in the middle of an operator; block comments nest.
/// </para>
/// <para>
/// A backslash outside a token starts a psql meta-command (<c>\set</c>, <c>\i</c>, <c>\gset</c>), read to the end of
/// its line as psql reads it. The server has no use for a backslash there (it is no operator character), so such a
/// token is never part of valid SQL.
/// </para>
/// </remarks>
internal ref struct SqlLexer
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;

    /// <summary>Initializes a new instance of the <see cref="SqlLexer"/> struct.</summary>
    /// <param name="text">The text to read.</param>
    public SqlLexer(ReadOnlySpan<char> text)
    {
        _text = text;
        _position = 0;
    }

    /// <summary>
    /// Gets or sets the offset the next token is read from. Setting it skips text that is not SQL, such as the data
    /// block of a <c>COPY ... FROM STDIN</c>.
    /// </summary>
    public int Position
    {
        readonly get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, _text.Length);
            _position = value;
        }
    }

    /// <summary>Reads the next token.</summary>
    /// <param name="token">The token read, or the default value at the end of the input.</param>
    /// <returns><see langword="false"/> at the end of the input (only whitespace was left).</returns>
    public bool TryRead(out SqlToken token)
    {
        ReadOnlySpan<char> text = _text;
        int i = _position;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }

        if (i >= text.Length)
        {
            _position = i;
            token = default;
            return false;
        }

        int start = i;
        char c = text[i];
        char next = i + 1 < text.Length ? text[i + 1] : '\0';
        SqlTokenKind kind;
        bool unterminated = false;
        int end;
        switch (c)
        {
            case ';':
                kind = SqlTokenKind.Semicolon;
                end = i + 1;
                break;
            case '(':
                kind = SqlTokenKind.OpenParenthesis;
                end = i + 1;
                break;
            case ')':
                kind = SqlTokenKind.CloseParenthesis;
                end = i + 1;
                break;
            case '\'':
                kind = SqlTokenKind.StandardString;
                end = ScanString(text, i + 1, escapes: false, out unterminated);
                break;
            case '"':
                kind = SqlTokenKind.QuotedIdentifier;
                end = ScanQuotedIdentifier(text, i + 1, out unterminated);
                break;
            case '\\':
                kind = SqlTokenKind.MetaCommand;
                end = SkipToEndOfLine(text, i + 1);
                break;
            case '-' when next == '-':
                kind = SqlTokenKind.LineComment;
                end = SkipToEndOfLine(text, i + 2);
                break;
            case '/' when next == '*':
                kind = SqlTokenKind.BlockComment;
                end = ScanBlockComment(text, i + 2, out unterminated);
                break;
            case '$':
                end = ScanDollar(text, i, out kind, out unterminated);
                break;
            case 'E' or 'e' when next == '\'':
                kind = SqlTokenKind.EscapeString;
                end = ScanString(text, i + 2, escapes: true, out unterminated);
                break;
            case 'B' or 'b' when next == '\'':
                kind = SqlTokenKind.BitString;
                end = ScanString(text, i + 2, escapes: false, out unterminated);
                break;
            case 'X' or 'x' when next == '\'':
                kind = SqlTokenKind.HexString;
                end = ScanString(text, i + 2, escapes: false, out unterminated);
                break;
            case 'N' or 'n' when next == '\'':
                kind = SqlTokenKind.NationalString;
                end = ScanString(text, i + 2, escapes: false, out unterminated);
                break;
            case 'U' or 'u' when next == '&' && i + 2 < text.Length && text[i + 2] == '\'':
                kind = SqlTokenKind.UnicodeString;
                end = ScanString(text, i + 3, escapes: false, out unterminated);
                break;
            case 'U' or 'u' when next == '&' && i + 2 < text.Length && text[i + 2] == '"':
                kind = SqlTokenKind.UnicodeQuotedIdentifier;
                end = ScanQuotedIdentifier(text, i + 3, out unterminated);
                break;
            default:
                if (IsDigit(c))
                {
                    kind = SqlTokenKind.Number;
                    end = ScanNumber(text, i);
                }
                else if (IsIdentifierStart(c))
                {
                    kind = SqlTokenKind.Word;
                    end = SkipIdentifierPart(text, i + 1);
                }
                else
                {
                    kind = SqlTokenKind.Symbol;
                    end = i + 1;
                }

                break;
        }

        _position = end;
        token = new SqlToken(kind, start, end - start, unterminated);
        return true;
    }

    /// <summary>Whether PostgreSQL treats a character as whitespace: space, tab, LF, VT, FF or CR.</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for whitespace.</returns>
    public static bool IsSpace(char c) => c == ' ' || (c >= '\t' && c <= '\r');

    /// <summary>Whether a character can start an identifier: an ASCII letter, <c>_</c>, or any non-ASCII character.</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> when it can start an identifier.</returns>
    public static bool IsIdentifierStart(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a' || c == '_' || c >= '\u0080';

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    private static bool IsDollarTagPart(char c) => IsIdentifierStart(c) || IsDigit(c);

    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c) || c == '$';

    private static bool IsHorizontalSpace(char c) => c is ' ' or '\t' or '\f' or '\v';

    private static int SkipIdentifierPart(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && IsIdentifierPart(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int SkipToEndOfLine(ReadOnlySpan<char> text, int i)
    {
        int relative = text[i..].IndexOfAny('\n', '\r');
        return relative < 0 ? text.Length : i + relative;
    }

    // i is just past the opening quote. Returns the offset just past the closing quote of the last continued part.
    private static int ScanString(ReadOnlySpan<char> text, int i, bool escapes, out bool unterminated)
    {
        while (true)
        {
            int relative = escapes ? text[i..].IndexOfAny('\'', '\\') : text[i..].IndexOf('\'');
            if (relative < 0)
            {
                unterminated = true;
                return text.Length;
            }

            i += relative;
            if (text[i] == '\\')
            {
                // A backslash escapes whatever follows it; only \' and \\ matter for finding the end.
                i = Math.Min(i + 2, text.Length);
                continue;
            }

            i++;
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                continue;
            }

            int continued = FindContinuation(text, i);
            if (continued < 0)
            {
                unterminated = false;
                return i;
            }

            i = continued;
        }
    }

    // After a closing quote at i - 1: SQL continues the string when whitespace containing at least one newline
    // (comments allowed) separates it from another quote. Returns the offset just past that quote, or -1.
    private static int FindContinuation(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length)
        {
            char c = text[i];
            if (IsHorizontalSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                i = SkipToEndOfLine(text, i + 2);
            }
            else
            {
                break;
            }
        }

        if (i >= text.Length || (text[i] != '\n' && text[i] != '\r'))
        {
            return -1;
        }

        i++;
        while (i < text.Length)
        {
            char c = text[i];
            if (IsSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                i = SkipToEndOfLine(text, i + 2);
                if (i >= text.Length)
                {
                    return -1;
                }

                i++;
            }
            else
            {
                return c == '\'' ? i + 1 : -1;
            }
        }

        return -1;
    }

    private static int ScanQuotedIdentifier(ReadOnlySpan<char> text, int i, out bool unterminated)
    {
        while (true)
        {
            int relative = text[i..].IndexOf('"');
            if (relative < 0)
            {
                unterminated = true;
                return text.Length;
            }

            i += relative + 1;
            if (i < text.Length && text[i] == '"')
            {
                i++;
                continue;
            }

            unterminated = false;
            return i;
        }
    }

    // i is just past the opening slash-star.
    private static int ScanBlockComment(ReadOnlySpan<char> text, int i, out bool unterminated)
    {
        int depth = 1;
        while (true)
        {
            int relative = text[i..].IndexOfAny('*', '/');
            if (relative < 0)
            {
                unterminated = true;
                return text.Length;
            }

            i += relative;
            char c = text[i];
            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c == '*' && next == '/')
            {
                i += 2;
                if (--depth == 0)
                {
                    unterminated = false;
                    return i;
                }
            }
            else if (c == '/' && next == '*')
            {
                i += 2;
                depth++;
            }
            else
            {
                i++;
            }
        }
    }

    // i is at the '$'.
    private static int ScanDollar(ReadOnlySpan<char> text, int i, out SqlTokenKind kind, out bool unterminated)
    {
        unterminated = false;
        int j = i + 1;
        if (j < text.Length && IsDigit(text[j]))
        {
            kind = SqlTokenKind.Parameter;
            while (j < text.Length && IsDigit(text[j]))
            {
                j++;
            }

            // "$1abc" is one (bad) token to PostgreSQL: a parameter with trailing junk.
            return j < text.Length && IsIdentifierStart(text[j]) ? SkipIdentifierPart(text, j) : j;
        }

        if (j < text.Length && IsIdentifierStart(text[j]))
        {
            j++;
            while (j < text.Length && IsDollarTagPart(text[j]))
            {
                j++;
            }
        }

        if (j >= text.Length || text[j] != '$')
        {
            // A lone '$' (as in "$abc" with no closing '$'): the rest is read as the next token.
            kind = SqlTokenKind.Symbol;
            return i + 1;
        }

        kind = SqlTokenKind.DollarString;
        ReadOnlySpan<char> tag = text[i..(j + 1)];
        int bodyStart = j + 1;
        int relative = text[bodyStart..].IndexOf(tag);
        if (relative < 0)
        {
            unterminated = true;
            return text.Length;
        }

        return bodyStart + relative + tag.Length;
    }

    private static int ScanNumber(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && (IsDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        // "1..10" is an integer followed by "..".
        if (i < text.Length && text[i] == '.' && !(i + 1 < text.Length && text[i + 1] == '.'))
        {
            i++;
            while (i < text.Length && (IsDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }
        }

        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            int j = i + 1;
            if (j < text.Length && (text[j] == '+' || text[j] == '-'))
            {
                j++;
            }

            if (j < text.Length && IsDigit(text[j]))
            {
                i = j;
                while (i < text.Length && (IsDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
            }
        }

        // PostgreSQL 15+ reads letters right after a number as part of it ("trailing junk"), so "1e'x'" is a
        // number and a standard string, never an escape string.
        return i < text.Length && IsIdentifierStart(text[i]) ? SkipIdentifierPart(text, i) : i;
    }
}
