using System.Text;
using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// The tokens of one statement without its comments, with random access and the parenthesis level of each, so that
/// rules can look ahead and back. Indexes are relative to the statement; every accessor is safe out of range. The
/// buffers are the walker's and are reused for the next statement: keep what you read, never the view.
/// </summary>
internal sealed class LintStatement
{
    private readonly string _text;
    private readonly SqlToken[] _tokens;
    private readonly int[] _levels;

    public LintStatement(SqlStatement statement, int index, string text, SqlToken[] tokens, int[] levels, int count)
    {
        Statement = statement;
        Index = index;
        _text = text;
        _tokens = tokens;
        _levels = levels;
        Count = count;
    }

    /// <summary>Gets the statement as the splitter found it.</summary>
    public SqlStatement Statement { get; }

    /// <summary>Gets the statement's index in its script.</summary>
    public int Index { get; }

    /// <summary>Gets the number of tokens, comments excluded.</summary>
    public int Count { get; }

    /// <summary>Gets the offset of the statement's first token in the script.</summary>
    public int Offset => Statement.Offset;

    public SqlToken this[int i] => (uint)i < (uint)Count ? _tokens[i] : default;

    /// <summary>Gets how many parentheses enclose token <paramref name="i"/> (a parenthesis is at the level outside it).</summary>
    public int Level(int i) => (uint)i < (uint)Count ? _levels[i] : 0;

    /// <summary>Gets the offset of token <paramref name="i"/> in the script, or the statement's end past the last token.</summary>
    public int OffsetOf(int i) => (uint)i < (uint)Count ? _tokens[i].Start : Statement.Offset + Statement.Length;

    public ReadOnlySpan<char> Span(int i) => (uint)i < (uint)Count ? _text.AsSpan(this[i].Start, this[i].Length) : [];

    public string TextOf(int i) => Span(i).ToString();

    /// <summary>Gets the script text from token <paramref name="from"/> to the end of token <paramref name="to"/> - 1.</summary>
    public string TextBetween(int from, int to)
    {
        if (from >= to || (uint)from >= (uint)Count)
        {
            return string.Empty;
        }

        int end = this[Math.Min(to, Count) - 1].End;
        int start = this[from].Start;
        return _text[start..end];
    }

    public bool IsWord(int i) => this[i].Kind == SqlTokenKind.Word;

    public bool Is(int i, string keyword) => IsWord(i) && Ascii.EqualsIgnoreCase(Span(i), keyword);

    public bool IsAny(int i, string a, string b) => Is(i, a) || Is(i, b);

    public bool IsSymbol(int i, char symbol) => this[i].Kind == SqlTokenKind.Symbol && Span(i) is [char c] && c == symbol;

    public bool IsOpen(int i) => this[i].Kind == SqlTokenKind.OpenParenthesis;

    public bool IsClose(int i) => this[i].Kind == SqlTokenKind.CloseParenthesis;

    public bool IsIdentifier(int i) => this[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier or SqlTokenKind.UnicodeQuotedIdentifier;

    /// <summary>Whether tokens <paramref name="i"/>, <paramref name="i"/>+1, … are the given keywords.</summary>
    public bool AreKeywords(int i, string first, string second) => Is(i, first) && Is(i + 1, second);

    public bool AreKeywords(int i, string first, string second, string third) => Is(i, first) && Is(i + 1, second) && Is(i + 2, third);

    /// <summary>Skips <c>IF EXISTS</c> at <paramref name="i"/>; tells whether it was there.</summary>
    public bool SkipIfExists(ref int i)
    {
        if (AreKeywords(i, "IF", "EXISTS"))
        {
            i += 2;
            return true;
        }

        return false;
    }

    /// <summary>Skips <c>IF NOT EXISTS</c> at <paramref name="i"/>; tells whether it was there.</summary>
    public bool SkipIfNotExists(ref int i)
    {
        if (AreKeywords(i, "IF", "NOT", "EXISTS"))
        {
            i += 3;
            return true;
        }

        return false;
    }

    /// <summary>Gets the index just past the parenthesis that closes the one at <paramref name="open"/> (or the end).</summary>
    public int SkipParentheses(int open)
    {
        int level = Level(open);
        int i = open + 1;
        while (i < Count && !(IsClose(i) && Level(i) == level))
        {
            i++;
        }

        return Math.Min(i + 1, Count);
    }

    /// <summary>Finds the first keyword at <paramref name="level"/> from <paramref name="from"/> up to <paramref name="end"/>; -1 when absent.</summary>
    public int Find(int from, int end, int level, string keyword)
    {
        for (int i = Math.Max(from, 0); i < end && i < Count; i++)
        {
            if (Level(i) == level && Is(i, keyword))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether the two keywords appear next to each other at <paramref name="level"/> between the bounds.</summary>
    public bool Contains(int from, int end, int level, string first, string second)
    {
        for (int i = Math.Max(from, 0); i + 1 < end && i + 1 < Count; i++)
        {
            if (Level(i) == level && Is(i, first) && Is(i + 1, second))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Splits tokens <paramref name="from"/> to <paramref name="end"/> at the commas of <paramref name="level"/>:
    /// the items of a list (<c>ALTER TABLE</c> actions, column definitions).
    /// </summary>
    public List<(int Start, int End)> SplitAtCommas(int from, int end, int level)
    {
        var items = new List<(int, int)>();
        int start = from;
        end = Math.Min(end, Count);
        for (int i = from; i < end; i++)
        {
            if (Level(i) == level && IsSymbol(i, ','))
            {
                items.Add((start, i));
                start = i + 1;
            }
        }

        if (start < end)
        {
            items.Add((start, end));
        }

        return items;
    }

    /// <summary>Reads one identifier at <paramref name="i"/> as PostgreSQL folds it; <see langword="null"/> when there is none.</summary>
    public string? ReadIdentifier(ref int i)
    {
        SqlToken token = this[i];
        string? name = token.Kind switch
        {
            SqlTokenKind.Word => FoldCase(Span(i)),
            SqlTokenKind.QuotedIdentifier => Unquote(Span(i), token.IsUnterminated),
            SqlTokenKind.UnicodeQuotedIdentifier => TextOf(i),
            _ => null,
        };
        if (name is not null)
        {
            i++;
        }

        return name;
    }

    /// <summary>Reads a name with up to two dots (<c>db.schema.name</c>); the last part is the name, the one before it the schema.</summary>
    public bool TryReadName(ref int i, out SqlName name)
    {
        int at = i;
        string? first = ReadIdentifier(ref at);
        if (first is null)
        {
            name = default;
            return false;
        }

        string? schema = null;
        string last = first;
        for (int parts = 1; parts < 3 && IsSymbol(at, '.') && IsIdentifier(at + 1); parts++)
        {
            at++;
            schema = last;
            last = ReadIdentifier(ref at)!;
        }

        i = at;
        name = new SqlName(schema, last);
        return true;
    }

    private static string FoldCase(ReadOnlySpan<char> word)
    {
        // PostgreSQL folds ASCII letters only (in a UTF-8 database).
        foreach (char c in word)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return string.Create(word.Length, word.ToString(), static (span, source) =>
                {
                    for (int k = 0; k < source.Length; k++)
                    {
                        char ch = source[k];
                        span[k] = ch is >= 'A' and <= 'Z' ? (char)(ch + 32) : ch;
                    }
                });
            }
        }

        return word.ToString();
    }

    private static string Unquote(ReadOnlySpan<char> quoted, bool unterminated)
    {
        ReadOnlySpan<char> inner = quoted.Length >= 2 && !unterminated ? quoted[1..^1] : quoted.Length >= 1 ? quoted[1..] : quoted;
        return inner.Contains('"') ? inner.ToString().Replace("\"\"", "\"", StringComparison.Ordinal) : inner.ToString();
    }
}
