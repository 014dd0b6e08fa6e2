using System.Text;
using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// A <c>-- migrationkit:allow &lt;rule-id&gt;[,&lt;rule-id&gt;…] &lt;reason&gt;</c> comment: the rules it allows, why,
/// and where it applies: the statement right below it (or the statement it sits in), or the whole file when it is
/// in the comments before the first statement and a blank line separates it from that statement.
/// </summary>
internal sealed class Suppression(IReadOnlyList<string> ruleIds, string reason, int statementIndex, int offset)
{
    /// <summary>The <see cref="StatementIndex"/> of a suppression for the whole file.</summary>
    public const int WholeFile = -1;

    /// <summary>The <see cref="StatementIndex"/> of a suppression with no statement after it.</summary>
    public const int Nothing = -2;

    public IReadOnlyList<string> RuleIds { get; } = ruleIds;

    public string Reason { get; } = reason;

    public int StatementIndex { get; } = statementIndex;

    public int Offset { get; } = offset;

    /// <summary>Gets the rule ids that suppressed a finding.</summary>
    public HashSet<string> Used { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool Covers(RawFinding finding) =>
        StatementIndex == WholeFile || StatementIndex == finding.StatementIndex;

    /// <summary>
    /// Reads the <c>migrationkit:</c> comments of a script: the suppressions, and a finding for each comment that
    /// has no effect (an unknown directive, a bad value, a directive after the first statement).
    /// </summary>
    public static List<Suppression> Read(SqlScript script, List<SqlToken> directives, List<RawFinding> ignored)
    {
        var suppressions = new List<Suppression>();
        IReadOnlyList<SqlStatement> statements = script.Statements;
        int firstStatement = statements.Count == 0 ? int.MaxValue : statements[0].Offset;
        bool phaseSeen = false;
        string text = script.Text;
        foreach (SqlToken comment in directives)
        {
            ReadOnlySpan<char> commentText = text.AsSpan(comment.Start, comment.Length);
            ReadOnlySpan<char> body = ScriptTokens.DirectiveBody(commentText);
            int space = body.IndexOfAny(" \t\f\v");
            ReadOnlySpan<char> verb = space < 0 ? body : body[..space];
            ReadOnlySpan<char> rest = space < 0 ? [] : body[space..].Trim(" \t\f\v");
            bool inHeader = comment.Start < firstStatement;
            int statementOfComment = StatementAt(statements, comment.Start);

            if (Ascii.EqualsIgnoreCase(verb, "allow"))
            {
                int idsEnd = rest.IndexOfAny(" \t\f\v");
                ReadOnlySpan<char> ids = idsEnd < 0 ? rest : rest[..idsEnd];
                string reason = idsEnd < 0 ? string.Empty : rest[idsEnd..].Trim(" \t\f\v").ToString();
                string[] ruleIds = ids.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (ruleIds.Length == 0)
                {
                    ignored.Add(Ignored(statementOfComment, comment, "-- migrationkit:allow names no rule: write -- migrationkit:allow <rule-id> <reason>."));
                    continue;
                }

                int target = inHeader && BlankLineBetween(text, comment.End, firstStatement) ? WholeFile : statementOfComment;
                suppressions.Add(new Suppression(ruleIds, reason, target, comment.Start));
            }
            else if (Ascii.EqualsIgnoreCase(verb, "no-transaction"))
            {
                if (!inHeader)
                {
                    ignored.Add(Ignored(statementOfComment, comment, "-- migrationkit:no-transaction after the first statement has no effect: directives are read only in the comment lines before the first statement."));
                }
                else if (!rest.IsEmpty)
                {
                    ignored.Add(Ignored(statementOfComment, comment, "-- migrationkit:no-transaction is not read as the directive because text follows it on the line: put any note on a line of its own."));
                }
            }
            else if (Ascii.EqualsIgnoreCase(verb, "phase"))
            {
                if (!inHeader)
                {
                    ignored.Add(Ignored(statementOfComment, comment, "-- migrationkit:phase after the first statement has no effect: directives are read only in the comment lines before the first statement."));
                }
                else if (SqlScript.ReadPhaseDirective(commentText) is null)
                {
                    ignored.Add(Ignored(statementOfComment, comment, $"-- migrationkit:phase {rest} is not a phase: write -- migrationkit:phase pre or -- migrationkit:phase post. The migration runs as pre."));
                }
                else if (phaseSeen)
                {
                    ignored.Add(Ignored(statementOfComment, comment, "A second -- migrationkit:phase has no effect: the first one counts."));
                }
                else
                {
                    phaseSeen = true;
                }
            }
            else
            {
                ignored.Add(Ignored(statementOfComment, comment, $"-- migrationkit:{verb} is not a directive MigrationKit knows (no-transaction, phase, allow): it has no effect."));
            }
        }

        return suppressions;
    }

    private static RawFinding Ignored(int statement, SqlToken comment, string message) =>
        new(LintRuleIds.IgnoredDirective, statement, comment.Start, null, BlockedOperations.None, message, null);

    /// <summary>The statement that contains <paramref name="offset"/> or comes first after it; <see cref="Nothing"/> when none does.</summary>
    private static int StatementAt(IReadOnlyList<SqlStatement> statements, int offset)
    {
        int low = 0, high = statements.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            SqlStatement statement = statements[middle];
            if (statement.Offset + statement.Length <= offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low < statements.Count ? low : Nothing;
    }

    /// <summary>Whether a line of whitespace alone lies between the two offsets (the lines they are on excluded).</summary>
    private static bool BlankLineBetween(string text, int from, int to)
    {
        ReadOnlySpan<char> between = text.AsSpan(from, Math.Min(to, text.Length) - from);
        int firstBreak = between.IndexOf('\n');
        int lastBreak = between.LastIndexOf('\n');
        if (firstBreak < 0 || firstBreak == lastBreak)
        {
            return false;
        }

        // Every line strictly between the comment's line and the statement's line.
        foreach (Range line in between[(firstBreak + 1)..lastBreak].Split('\n'))
        {
            if (between[(firstBreak + 1)..lastBreak][line].Trim(" \t\r\f\v").IsEmpty)
            {
                return true;
            }
        }

        return false;
    }
}
