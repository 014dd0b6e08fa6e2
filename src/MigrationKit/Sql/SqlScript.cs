using System.Collections.ObjectModel;
using System.Text;

namespace MigrationKit.Sql;

/// <summary>
/// A PostgreSQL script split into its top-level statements the way psql splits a file, with what MigrationKit
/// needs to know to run it: lexical errors, transaction control, and statements that cannot run in a transaction.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Parse(string)"/> reads the text once and never throws on any input. Statements end at a <c>;</c> that is not
/// inside a string, quoted identifier, dollar quote, comment or parentheses, nor inside the <c>BEGIN ATOMIC ... END</c>
/// body of a <c>CREATE [OR REPLACE] FUNCTION | PROCEDURE</c> statement.
/// </para>
/// <para>
/// Where psql and the server read a script differently, this follows the server, which is what golang-migrate
/// sends whole files to: psql counts every <c>BEGIN</c> in such a statement as the start of a block, so a function
/// named <c>begin</c> or a parameter named <c>begin</c> used in the body swallows the rest of the script; this lexer
/// only counts <c>BEGIN ATOMIC</c>. And psql reads a file line by line, so it does not continue an <c>E'...'</c>
/// string onto the next line (<c>E'a'</c> newline <c>'b\';c'</c>); the server does, and so does this lexer.
/// </para>
/// <para>
/// Two things in a script are not SQL, and are read as psql reads them. The data block of a <c>COPY ... FROM STDIN</c>
/// (what pg_dump writes): the lines after the statement's line up to a line that is exactly <c>\.</c>, kept on the
/// statement as <see cref="SqlStatement.CopyData"/> and never lexed. And psql meta-commands (<c>\set</c>, <c>\i</c>,
/// <c>\connect</c>): a backslash outside any string, comment or data block, to the end of its line; each is an error
/// of kind <see cref="SqlSyntaxErrorKind.MetaCommand"/> and ends the statement before it.
/// </para>
/// <para>
/// A parsed script is immutable and safe to share between threads; the line index behind positions is built on
/// first use (a benign race may build it twice).
/// </para>
/// </remarks>
internal sealed partial class SqlScript
{
    private const string DirectiveText = "migrationkit:no-transaction";
    private const string PhaseDirectiveText = "migrationkit:phase";

    private readonly SqlSourceMap? _map;
    private SqlTextIndex? _index;

    private SqlScript(string text, SqlSourceMap? map)
    {
        Text = text;
        _map = map;
        var statements = new List<SqlStatement>();
        List<SqlSyntaxError>? errors = null;
        (HasNoTransactionDirective, Phase) = Split(statements, ref errors);

        Statements = statements.AsReadOnly();
        Errors = errors is null ? [] : errors.AsReadOnly();
        (TransactionShape, SqlStatement? controlCulprit) = FindTransactionShape(statements);
        Body = TransactionShape == TransactionShape.Wrapped
            ? new ReadOnlyCollection<SqlStatement>(new ArraySegment<SqlStatement>([.. statements], 1, statements.Count - 2))
            : Statements;
        OutsideTransactionReason = ExplainOutsideTransaction(statements, controlCulprit);
    }

    private enum RoutineHeader
    {
        Start,
        AfterCreate,
        AfterOr,
        AfterOrReplace,
        Routine,
        NotRoutine,
    }

    /// <summary>Gets the script text.</summary>
    public string Text { get; }

    /// <summary>Gets the top-level statements in order. Empty or comment-only pieces between semicolons are left out.</summary>
    public IReadOnlyList<SqlStatement> Statements { get; }

    /// <summary>
    /// Gets the lexical errors in the order of the text: a construct still open at the end of the input, malformed
    /// <c>COPY ... FROM STDIN</c> data, psql meta-commands. Empty for a well-formed script.
    /// </summary>
    public IReadOnlyList<SqlSyntaxError> Errors { get; }

    /// <summary>
    /// Gets a value indicating whether a <c>-- migrationkit:no-transaction</c> comment line comes before the first
    /// statement.
    /// </summary>
    public bool HasNoTransactionDirective { get; }

    /// <summary>
    /// Gets the deploy phase named by the first <c>-- migrationkit:phase pre|post</c> comment line before the first
    /// statement; <see cref="MigrationPhase.Pre"/> without one. A phase other than <c>pre</c> or <c>post</c> is not a
    /// directive (lint reports it).
    /// </summary>
    public MigrationPhase Phase { get; }

    /// <summary>Gets how the script uses transaction control statements.</summary>
    public TransactionShape TransactionShape { get; }

    /// <summary>
    /// Gets the statements without the wrapping <c>BEGIN</c> and <c>COMMIT</c> when the shape is
    /// <see cref="TransactionShape.Wrapped"/>; otherwise <see cref="Statements"/>.
    /// </summary>
    public IReadOnlyList<SqlStatement> Body { get; }

    /// <summary>
    /// Gets a value indicating whether the script must run outside a transaction: it carries the directive, has a
    /// statement PostgreSQL refuses in a transaction block, or controls transactions beyond a plain wrapper.
    /// </summary>
    public bool RunsOutsideTransaction => OutsideTransactionReason is not null;

    /// <summary>
    /// Gets why the script runs outside a transaction, for logs and plans, such as
    /// <c>line 3: CREATE INDEX CONCURRENTLY cannot run inside a transaction block</c>; <see langword="null"/> when it
    /// runs in one.
    /// </summary>
    public string? OutsideTransactionReason { get; }

    /// <summary>Gets a value indicating whether the script has no statement (only whitespace and comments).</summary>
    public bool IsEmpty => Statements.Count == 0;

    private SqlTextIndex Index => _index ??= SqlTextIndex.Build(Text);

    /// <summary>Splits and classifies a script. Never throws for any text.</summary>
    /// <param name="text">The script text.</param>
    /// <returns>The parsed script.</returns>
    public static SqlScript Parse(string text) => Parse(text, null);

    /// <summary>
    /// Splits and classifies a script made from another by replacing placeholders; positions are reported in the text
    /// as written, through <paramref name="map"/>. Never throws for any text.
    /// </summary>
    /// <param name="text">The script text, placeholders replaced.</param>
    /// <param name="map">Where each offset of <paramref name="text"/> comes from, or <see langword="null"/> when nothing was replaced.</param>
    /// <returns>The parsed script.</returns>
    public static SqlScript Parse(string text, SqlSourceMap? map)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new SqlScript(text, map);
    }

    /// <summary>
    /// Gets the 1-based line and column (in code points) of an offset in <see cref="Text"/>: in the text as written when
    /// placeholders were replaced.
    /// </summary>
    /// <param name="offset">A UTF-16 offset from 0 to the length of the text, both included.</param>
    /// <returns>The position.</returns>
    public SqlPosition GetPosition(int offset) => _map?.GetPosition(offset) ?? Index.GetPosition(offset);

    /// <summary>
    /// Maps the position of a server error (PostgreSQL's 1-based index in characters into the statement text that
    /// was sent) to the line and column in the script.
    /// </summary>
    /// <param name="statement">The statement of this script that failed.</param>
    /// <param name="serverPosition">The error's position; 0 or out of range gives the statement's start.</param>
    /// <returns>The position in the script.</returns>
    public SqlPosition GetPositionOfServerError(SqlStatement statement, int serverPosition)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (!ReferenceEquals(statement.Script, this))
        {
            throw new ArgumentException("The statement belongs to another script.", nameof(statement));
        }

        if (serverPosition < 1)
        {
            return statement.Position;
        }

        string text = Text;
        int i = statement.Offset;
        int end = statement.Offset + statement.Length;
        int remaining = serverPosition - 1;
        while (remaining > 0 && i < end)
        {
            i += char.IsHighSurrogate(text[i]) && i + 1 < end && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            remaining--;
        }

        // Position length + 1 is the end of the statement ("syntax error at end of input").
        return remaining > 0 ? statement.Position : GetPosition(i);
    }

    private static bool IsNoTransactionDirective(ReadOnlySpan<char> comment)
    {
        ReadOnlySpan<char> rest = comment[2..].TrimStart(" \t\f\v");
        return rest.Length >= DirectiveText.Length
            && Ascii.EqualsIgnoreCase(rest[..DirectiveText.Length], DirectiveText)
            && rest[DirectiveText.Length..].TrimEnd(" \t\f\v").IsEmpty;
    }

    /// <summary>Reads <c>-- migrationkit:phase pre|post</c>; <see langword="null"/> when the comment is not that directive.</summary>
    /// <param name="comment">A line comment, starting with <c>--</c>.</param>
    /// <returns>The phase, or <see langword="null"/>.</returns>
    internal static MigrationPhase? ReadPhaseDirective(ReadOnlySpan<char> comment)
    {
        ReadOnlySpan<char> rest = comment[2..].TrimStart(" \t\f\v");
        if (rest.Length <= PhaseDirectiveText.Length
            || !Ascii.EqualsIgnoreCase(rest[..PhaseDirectiveText.Length], PhaseDirectiveText)
            || rest[PhaseDirectiveText.Length] is not (' ' or '\t' or '\f' or '\v'))
        {
            return null;
        }

        ReadOnlySpan<char> value = rest[PhaseDirectiveText.Length..].Trim(" \t\f\v");
        return Ascii.EqualsIgnoreCase(value, "post") ? MigrationPhase.Post
            : Ascii.EqualsIgnoreCase(value, "pre") ? MigrationPhase.Pre
            : null;
    }

    private static bool IsFunctionOrProcedure(ReadOnlySpan<char> word) =>
        Ascii.EqualsIgnoreCase(word, "FUNCTION") || Ascii.EqualsIgnoreCase(word, "PROCEDURE");

    // Wrapped: a plain BEGIN first, a plain COMMIT last, no other transaction control. Otherwise the culprit is
    // the first transaction control statement that is not such a leading BEGIN or trailing COMMIT, or, when there
    // is none (a BEGIN without COMMIT, a lone COMMIT), the first transaction control statement.
    private static (TransactionShape Shape, SqlStatement? Culprit) FindTransactionShape(List<SqlStatement> statements)
    {
        int count = statements.Count;
        SqlStatement? firstControl = null;
        SqlStatement? firstUnwrapped = null;
        for (int i = 0; i < count; i++)
        {
            SqlStatement statement = statements[i];
            if (statement.Kind == SqlStatementKind.Other)
            {
                continue;
            }

            firstControl ??= statement;
            bool leadingBegin = i == 0 && statement is { Kind: SqlStatementKind.Begin, IsPlainTransactionControl: true };
            bool trailingCommit = i == count - 1 && statement is { Kind: SqlStatementKind.Commit, IsPlainTransactionControl: true };
            if (!leadingBegin && !trailingCommit)
            {
                firstUnwrapped = statement;
                break;
            }
        }

        if (firstControl is null)
        {
            return (TransactionShape.None, null);
        }

        if (firstUnwrapped is null && count >= 2
            && statements[0].Kind == SqlStatementKind.Begin
            && statements[count - 1].Kind == SqlStatementKind.Commit)
        {
            return (TransactionShape.Wrapped, null);
        }

        return (TransactionShape.Other, firstUnwrapped ?? firstControl);
    }
}
