namespace MigrationKit.Sql;

/// <summary>One token read by <see cref="SqlLexer"/>.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Start">The offset of its first character in the text the lexer reads.</param>
/// <param name="Length">Its length in UTF-16 code units.</param>
/// <param name="IsUnterminated">Whether it is a string, quoted identifier or comment still open at the end of the input.</param>
internal readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length, bool IsUnterminated)
{
    /// <summary>Gets the offset just past the token.</summary>
    public int End => Start + Length;
}
