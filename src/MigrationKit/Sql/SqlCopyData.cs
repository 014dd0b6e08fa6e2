namespace MigrationKit.Sql;

/// <summary>
/// The data block of a <c>COPY ... FROM STDIN</c> statement: the lines after the line of the statement's semicolon,
/// up to the line that is exactly <c>\.</c>, as psql reads a script.
/// </summary>
/// <remarks>
/// The text is what psql sends to the server, less the <c>\.</c> line itself: the server ends the data at the end of
/// the stream just as at that line, and a server from PostgreSQL 18 on no longer reads <c>\.</c> as the end of CSV data.
/// It keeps its line endings, including the last one, and is never lexed as SQL.
/// </remarks>
internal sealed class SqlCopyData
{
    internal SqlCopyData(SqlScript script, int offset, int length, SqlCopyFormat format, bool isTerminated)
    {
        Script = script;
        Offset = offset;
        Length = length;
        Format = format;
        IsTerminated = isTerminated;
    }

    /// <summary>Gets the script the data belongs to.</summary>
    public SqlScript Script { get; }

    /// <summary>Gets the UTF-16 offset of the data's first character (the start of the line after the statement).</summary>
    public int Offset { get; }

    /// <summary>Gets the length of the data in UTF-16 code units, up to and including the newline before the <c>\.</c> line.</summary>
    public int Length { get; }

    /// <summary>Gets the format of the data.</summary>
    public SqlCopyFormat Format { get; }

    /// <summary>
    /// Gets a value indicating whether a <c>\.</c> line ends the data; when not, the data runs to the end of the script
    /// and the script has an error.
    /// </summary>
    public bool IsTerminated { get; }

    /// <summary>Gets the 1-based line of the script the data starts on.</summary>
    public int StartLine => Script.GetPosition(Offset).Line;

    /// <summary>Gets the data, exactly as it is sent. Each call returns a new string; see <see cref="AsMemory"/>.</summary>
    public string Text => Script.Text.Substring(Offset, Length);

    /// <summary>Gets the data without allocating.</summary>
    /// <returns>The data.</returns>
    public ReadOnlySpan<char> AsSpan() => Script.Text.AsSpan(Offset, Length);

    /// <summary>Gets the data without allocating, for asynchronous writers.</summary>
    /// <returns>The data.</returns>
    public ReadOnlyMemory<char> AsMemory() => Script.Text.AsMemory(Offset, Length);

    /// <summary>
    /// Maps the line number the server gives in an error about the data (its context reads <c>COPY t, line 7</c>) to
    /// the line in the script.
    /// </summary>
    /// <remarks>
    /// The server counts the lines of the data as they are, also in CSV, where a newline inside a quoted value
    /// counts too: an error in such a value names the line the server had reached.
    /// </remarks>
    /// <param name="dataLine">The server's 1-based line number.</param>
    /// <returns>The position of the line's first character, or <see langword="null"/> when the data has no such line.</returns>
    public SqlPosition? GetPositionOfDataLine(long dataLine)
    {
        if (dataLine < 1)
        {
            return null;
        }

        ReadOnlySpan<char> data = AsSpan();
        int i = 0;
        for (long line = 1; line < dataLine; line++)
        {
            int relative = data[i..].IndexOf('\n');
            if (relative < 0)
            {
                return null;
            }

            i += relative + 1;
        }

        return i < data.Length ? Script.GetPosition(Offset + i) : null;
    }
}
