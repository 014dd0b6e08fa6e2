using System.Text;
using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// One pass of the lexer over a parsed script: the tokens of each statement (comments left out) and the
/// <c>-- migrationkit:</c> comments, wherever they are.
/// </summary>
internal sealed class ScriptTokens
{
    private const string Prefix = "migrationkit:";

    private ScriptTokens(IReadOnlyList<LintStatement> statements, IReadOnlyList<SqlToken> directives)
    {
        Statements = statements;
        Directives = directives;
    }

    /// <summary>Gets the statements of the script, in order, one per <see cref="SqlScript.Statements"/>.</summary>
    public IReadOnlyList<LintStatement> Statements { get; }

    /// <summary>Gets the line comments whose text starts with <c>migrationkit:</c>, in order.</summary>
    public IReadOnlyList<SqlToken> Directives { get; }

    public static ScriptTokens Read(SqlScript script)
    {
        string text = script.Text;
        IReadOnlyList<SqlStatement> parsed = script.Statements;
        var tokens = new List<SqlToken>(Math.Max(16, text.Length / 5));
        var levels = new List<int>(tokens.Capacity);
        var ranges = new (int First, int Count)[parsed.Count];
        List<SqlToken>? directives = null;

        var lexer = new SqlLexer(text);
        int s = 0;
        int depth = 0;
        int first = 0;
        while (lexer.TryRead(out SqlToken token))
        {
            if (token.Kind == SqlTokenKind.LineComment)
            {
                if (IsDirective(text.AsSpan(token.Start, token.Length)))
                {
                    (directives ??= []).Add(token);
                }

                continue;
            }

            if (token.Kind == SqlTokenKind.BlockComment)
            {
                continue;
            }

            // Move to the statement the token belongs to; tokens between statements (semicolons) belong to none.
            while (s < parsed.Count && token.Start >= parsed[s].Offset + parsed[s].Length)
            {
                ranges[s] = (first, tokens.Count - first);
                s++;
                first = tokens.Count;
                depth = 0;
            }

            if (s >= parsed.Count || token.Start < parsed[s].Offset)
            {
                continue;
            }

            if (token.Kind == SqlTokenKind.CloseParenthesis && depth > 0)
            {
                depth--;
            }

            tokens.Add(token);
            levels.Add(depth);
            if (token.Kind == SqlTokenKind.OpenParenthesis)
            {
                depth++;
            }
        }

        for (; s < parsed.Count; s++)
        {
            ranges[s] = (first, tokens.Count - first);
            first = tokens.Count;
        }

        SqlToken[] tokenArray = [.. tokens];
        int[] levelArray = [.. levels];
        var statements = new LintStatement[parsed.Count];
        for (int i = 0; i < parsed.Count; i++)
        {
            statements[i] = new LintStatement(parsed[i], i, text, tokenArray, levelArray, ranges[i].First, ranges[i].Count);
        }

        return new ScriptTokens(statements, directives is null ? [] : directives);
    }

    /// <summary>The text of a directive comment after <c>migrationkit:</c>.</summary>
    public static ReadOnlySpan<char> DirectiveBody(ReadOnlySpan<char> comment) => comment[2..].TrimStart(" \t\f\v")[Prefix.Length..];

    private static bool IsDirective(ReadOnlySpan<char> comment)
    {
        ReadOnlySpan<char> rest = comment[2..].TrimStart(" \t\f\v");
        return rest.Length >= Prefix.Length && Ascii.EqualsIgnoreCase(rest[..Prefix.Length], Prefix);
    }
}
