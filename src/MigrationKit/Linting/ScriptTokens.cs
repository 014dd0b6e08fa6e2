using System.Text;
using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// One pass of the lexer over a parsed script: hands each statement to the rules with its tokens (comments left
/// out), and collects the <c>-- migrationkit:</c> comments wherever they are. Only statements whose first word a rule
/// reads keep their tokens, in buffers reused from one statement to the next, so a 50 MB seed script of INSERTs costs
/// a lexer pass and no memory.
/// </summary>
internal static class ScriptTokens
{
    private const string Prefix = "migrationkit:";

    /// <summary>
    /// Visits every statement in order (an empty token view for statements no rule reads); the view is valid only
    /// during the call. Returns the directive comments.
    /// </summary>
    public static List<SqlToken> Walk(SqlScript script, Action<LintStatement> visit)
    {
        string text = script.Text;
        IReadOnlyList<SqlStatement> parsed = script.Statements;
        var directives = new List<SqlToken>();
        var tokens = new SqlToken[64];
        var levels = new int[64];
        int count = 0;
        int depth = 0;
        bool decided = false;
        bool keep = false;
        int s = 0;

        var lexer = new SqlLexer(text);
        while (lexer.TryRead(out SqlToken token))
        {
            if (token.Kind == SqlTokenKind.LineComment)
            {
                if (IsDirective(text.AsSpan(token.Start, token.Length)))
                {
                    directives.Add(token);
                }

                continue;
            }

            if (token.Kind == SqlTokenKind.BlockComment)
            {
                continue;
            }

            // Finish the statements that end before this token; tokens between statements (semicolons) belong to none.
            while (s < parsed.Count && token.Start >= parsed[s].Offset + parsed[s].Length)
            {
                visit(new LintStatement(parsed[s], s, text, tokens, levels, count));
                s++;
                count = 0;
                depth = 0;
                decided = false;
            }

            if (s >= parsed.Count || token.Start < parsed[s].Offset)
            {
                continue;
            }

            if (!decided)
            {
                decided = true;
                keep = token.Kind == SqlTokenKind.Word && IsRead(text.AsSpan(token.Start, token.Length));
            }

            if (!keep)
            {
                continue;
            }

            if (token.Kind == SqlTokenKind.CloseParenthesis && depth > 0)
            {
                depth--;
            }

            if (count == tokens.Length)
            {
                Array.Resize(ref tokens, count * 2);
                Array.Resize(ref levels, count * 2);
            }

            tokens[count] = token;
            levels[count] = depth;
            count++;
            if (token.Kind == SqlTokenKind.OpenParenthesis)
            {
                depth++;
            }
        }

        for (; s < parsed.Count; s++)
        {
            visit(new LintStatement(parsed[s], s, text, tokens, levels, count));
            count = 0;
        }

        return directives;
    }

    /// <summary>The text of a directive comment after <c>migrationkit:</c>.</summary>
    public static ReadOnlySpan<char> DirectiveBody(ReadOnlySpan<char> comment) => comment[2..].TrimStart(" \t\f\v")[Prefix.Length..];

    /// <summary>Whether a rule reads statements starting with this word.</summary>
    private static bool IsRead(ReadOnlySpan<char> word) =>
        Ascii.EqualsIgnoreCase(word, "CREATE") || Ascii.EqualsIgnoreCase(word, "DROP") || Ascii.EqualsIgnoreCase(word, "ALTER")
        || Ascii.EqualsIgnoreCase(word, "UPDATE") || Ascii.EqualsIgnoreCase(word, "DELETE") || Ascii.EqualsIgnoreCase(word, "WITH")
        || Ascii.EqualsIgnoreCase(word, "REINDEX");

    private static bool IsDirective(ReadOnlySpan<char> comment)
    {
        ReadOnlySpan<char> rest = comment[2..].TrimStart(" \t\f\v");
        return rest.Length >= Prefix.Length && Ascii.EqualsIgnoreCase(rest[..Prefix.Length], Prefix);
    }
}
