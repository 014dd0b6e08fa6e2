namespace MigrationKit.Sql;

/// <summary>
/// Maps offsets in a script text made from another by replacing spans (placeholders replaced by their values) back
/// to the text as written, so every line and column MigrationKit reports is one of the file: after a replacement on a
/// line, the rest of the line and every later line keep their positions, and an offset inside a replaced value maps to
/// the start of the placeholder it replaced.
/// </summary>
internal sealed class SqlSourceMap
{
    private readonly string _original;
    private readonly int[] _outputStarts;
    private readonly int[] _outputEnds;
    private readonly int[] _originalStarts;
    private readonly int[] _originalEnds;
    private SqlTextIndex? _index;

    /// <summary>Creates a map.</summary>
    /// <param name="original">The text as written.</param>
    /// <param name="replacements">The replaced spans, in order: where each is in the original and in the output.</param>
    public SqlSourceMap(string original, IReadOnlyList<(int OriginalStart, int OriginalEnd, int OutputStart, int OutputEnd)> replacements)
    {
        _original = original;
        _originalStarts = new int[replacements.Count];
        _originalEnds = new int[replacements.Count];
        _outputStarts = new int[replacements.Count];
        _outputEnds = new int[replacements.Count];
        for (int i = 0; i < replacements.Count; i++)
        {
            (_originalStarts[i], _originalEnds[i], _outputStarts[i], _outputEnds[i]) = replacements[i];
        }
    }

    /// <summary>Gets the text as written.</summary>
    public string Original => _original;

    private SqlTextIndex Index => _index ??= SqlTextIndex.Build(_original);

    /// <summary>Maps an offset in the replaced text to the offset in the original it comes from.</summary>
    /// <param name="offset">A UTF-16 offset in the replaced text.</param>
    /// <returns>The offset in the original.</returns>
    public int ToOriginal(int offset)
    {
        // The last replacement that starts at or before the offset.
        int low = 0;
        int high = _outputStarts.Length;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (_outputStarts[middle] <= offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        int i = low - 1;
        if (i < 0)
        {
            return offset;
        }

        return offset < _outputEnds[i] ? _originalStarts[i] : _originalEnds[i] + (offset - _outputEnds[i]);
    }

    /// <summary>Gets the 1-based line and column in the original of an offset in the replaced text.</summary>
    /// <param name="offset">A UTF-16 offset in the replaced text.</param>
    /// <returns>The position in the original.</returns>
    public SqlPosition GetPosition(int offset) => Index.GetPosition(Math.Clamp(ToOriginal(offset), 0, _original.Length));
}
