namespace MigrationKit.Sql;

/// <summary>
/// Maps UTF-16 offsets in a text to 1-based lines and code point columns in O(log n), after one vectorised pass.
/// </summary>
/// <remarks>
/// LF, CRLF and a lone CR each end a line. Columns count Unicode code points: a surrogate pair is one column, a
/// lone surrogate or a tab is one column. An offset between the two halves of a pair gets the column of the pair.
/// </remarks>
internal sealed class SqlTextIndex
{
    private readonly string _text;
    private readonly int[] _lineStarts;
    private readonly int[] _pairLowSurrogates;

    private SqlTextIndex(string text, int[] lineStarts, int[] pairLowSurrogates)
    {
        _text = text;
        _lineStarts = lineStarts;
        _pairLowSurrogates = pairLowSurrogates;
    }

    /// <summary>Builds the index of a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The index.</returns>
    public static SqlTextIndex Build(string text)
    {
        ReadOnlySpan<char> span = text;
        var lineStarts = new List<int> { 0 };
        int i = 0;
        int relative;
        while ((relative = span[i..].IndexOfAny('\n', '\r')) >= 0)
        {
            int p = i + relative;
            if (span[p] == '\r' && p + 1 < span.Length && span[p + 1] == '\n')
            {
                p++;
            }

            i = p + 1;
            lineStarts.Add(i);
        }

        List<int>? pairs = null;
        i = 0;
        while ((relative = span[i..].IndexOfAnyInRange('\uDC00', '\uDFFF')) >= 0)
        {
            int p = i + relative;
            if (p > 0 && char.IsHighSurrogate(span[p - 1]))
            {
                (pairs ??= []).Add(p);
            }

            i = p + 1;
        }

        return new SqlTextIndex(text, [.. lineStarts], pairs is null ? [] : [.. pairs]);
    }

    /// <summary>Gets the line and column of an offset.</summary>
    /// <param name="offset">A UTF-16 offset from 0 to the length of the text, both included.</param>
    /// <returns>The 1-based line and column.</returns>
    public SqlPosition GetPosition(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _text.Length);

        int line = UpperBound(_lineStarts, offset) - 1;
        int lineStart = _lineStarts[line];

        // Pairs wholly before the offset and on this line have their low surrogate in (lineStart, offset).
        int pairs = UpperBound(_pairLowSurrogates, offset - 1) - UpperBound(_pairLowSurrogates, lineStart);
        bool insidePair = offset > lineStart && offset < _text.Length
            && char.IsLowSurrogate(_text[offset]) && char.IsHighSurrogate(_text[offset - 1]);
        int column = offset - lineStart - pairs - (insidePair ? 1 : 0) + 1;
        return new SqlPosition(line + 1, column);
    }

    // The number of items <= value (the index of the first item > value).
    private static int UpperBound(int[] sorted, int value)
    {
        int low = 0;
        int high = sorted.Length;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (sorted[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
