using System.Text;

namespace MigrationKit.Sql;

/// <summary>
/// Walks the tokens of one statement, skipping comments and tracking how deep in parentheses each token is.
/// </summary>
internal ref struct SqlTokenCursor
{
    private readonly ReadOnlySpan<char> _text;
    private SqlLexer _lexer;
    private int _depth;

    /// <summary>Initializes a new instance of the <see cref="SqlTokenCursor"/> struct.</summary>
    /// <param name="text">The statement text.</param>
    public SqlTokenCursor(ReadOnlySpan<char> text)
    {
        _text = text;
        _lexer = new SqlLexer(text);
        _depth = 0;
        Current = default;
        Level = 0;
    }

    /// <summary>Gets the current token (the default value before the first and after the last).</summary>
    public SqlToken Current { get; private set; }

    /// <summary>
    /// Gets how many parentheses enclose the current token; a parenthesis itself is at the level outside it.
    /// </summary>
    public int Level { get; private set; }

    /// <summary>Gets the text of the current token.</summary>
    public readonly ReadOnlySpan<char> CurrentText => _text.Slice(Current.Start, Current.Length);

    /// <summary>Moves to the next token that is not a comment.</summary>
    /// <returns><see langword="false"/> at the end of the statement.</returns>
    public bool MoveNext()
    {
        while (_lexer.TryRead(out SqlToken token))
        {
            if (token.Kind is SqlTokenKind.LineComment or SqlTokenKind.BlockComment)
            {
                continue;
            }

            if (token.Kind == SqlTokenKind.CloseParenthesis && _depth > 0)
            {
                _depth--;
            }

            Level = _depth;
            if (token.Kind == SqlTokenKind.OpenParenthesis)
            {
                _depth++;
            }

            Current = token;
            return true;
        }

        Current = default;
        Level = 0;
        return false;
    }

    /// <summary>Whether the current token is the given keyword (unquoted, ASCII case-insensitive).</summary>
    /// <param name="keyword">The keyword, in ASCII.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public readonly bool IsKeyword(string keyword) =>
        Current.Kind == SqlTokenKind.Word && Ascii.EqualsIgnoreCase(CurrentText, keyword);

    /// <summary>Moves to the next token and tells whether it is the given keyword.</summary>
    /// <param name="keyword">The keyword, in ASCII.</param>
    /// <returns><see langword="true"/> when there is a next token and it is the keyword.</returns>
    public bool MoveNextIsKeyword(string keyword) => MoveNext() && IsKeyword(keyword);
}
