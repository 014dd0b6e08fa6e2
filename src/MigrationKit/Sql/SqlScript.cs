using System.Collections.ObjectModel;
using System.Globalization;
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
internal sealed class SqlScript
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

    private (bool NoTransaction, MigrationPhase Phase) Split(List<SqlStatement> statements, ref List<SqlSyntaxError>? errors)
    {
        string text = Text;
        var lexer = new SqlLexer(text);
        bool directive = false;
        MigrationPhase? phase = null;
        int start = -1;
        int end = -1;
        int parenthesisDepth = 0;
        int atomicDepth = 0;
        RoutineHeader header = RoutineHeader.Start;
        bool afterBegin = false;

        while (lexer.TryRead(out SqlToken token))
        {
            bool isBegin = false;
            switch (token.Kind)
            {
                case SqlTokenKind.LineComment:
                    if (start < 0 && statements.Count == 0)
                    {
                        ReadOnlySpan<char> comment = text.AsSpan(token.Start, token.Length);
                        directive = directive || IsNoTransactionDirective(comment);
                        phase ??= ReadPhaseDirective(comment);
                    }

                    continue;

                case SqlTokenKind.BlockComment when !token.IsUnterminated:
                    continue;

                case SqlTokenKind.Semicolon when parenthesisDepth == 0 && atomicDepth == 0:
                    if (start >= 0)
                    {
                        AddStatement(statements, start, end, token.End, ref lexer, ref errors);
                    }

                    start = -1;
                    header = RoutineHeader.Start;
                    afterBegin = false;
                    continue;

                case SqlTokenKind.MetaCommand:
                    // psql runs it where it stands; here it ends the statement before it, so that the statements
                    // around it keep their places, and the script is refused.
                    if (start >= 0)
                    {
                        AddStatement(statements, start, end, semicolonEnd: -1, ref lexer, ref errors);
                    }

                    if (!IsDumpRestriction(token))
                    {
                        (errors ??= []).Add(DescribeMetaCommand(token));
                    }

                    start = -1;
                    parenthesisDepth = 0;
                    atomicDepth = 0;
                    header = RoutineHeader.Start;
                    afterBegin = false;
                    continue;

                case SqlTokenKind.OpenParenthesis:
                    parenthesisDepth++;
                    break;

                case SqlTokenKind.CloseParenthesis:
                    if (parenthesisDepth > 0)
                    {
                        parenthesisDepth--;
                    }

                    break;

                case SqlTokenKind.Word when header != RoutineHeader.NotRoutine:
                    // Only CREATE [OR REPLACE] FUNCTION | PROCEDURE statements can hold a BEGIN ATOMIC ... END
                    // body, whose semicolons do not end the statement; CASE ... END nests inside it.
                    ReadOnlySpan<char> word = text.AsSpan(token.Start, token.Length);
                    header = header switch
                    {
                        RoutineHeader.Start => Ascii.EqualsIgnoreCase(word, "CREATE") ? RoutineHeader.AfterCreate : RoutineHeader.NotRoutine,
                        RoutineHeader.AfterCreate => Ascii.EqualsIgnoreCase(word, "OR") ? RoutineHeader.AfterOr
                            : IsFunctionOrProcedure(word) ? RoutineHeader.Routine
                            : RoutineHeader.NotRoutine,
                        RoutineHeader.AfterOr => Ascii.EqualsIgnoreCase(word, "REPLACE") ? RoutineHeader.AfterOrReplace : RoutineHeader.NotRoutine,
                        RoutineHeader.AfterOrReplace => IsFunctionOrProcedure(word) ? RoutineHeader.Routine : RoutineHeader.NotRoutine,
                        _ => header,
                    };
                    if (header == RoutineHeader.Routine && parenthesisDepth == 0)
                    {
                        if (afterBegin && Ascii.EqualsIgnoreCase(word, "ATOMIC"))
                        {
                            atomicDepth++;
                        }
                        else if (atomicDepth > 0 && Ascii.EqualsIgnoreCase(word, "CASE"))
                        {
                            atomicDepth++;
                        }
                        else if (atomicDepth > 0 && Ascii.EqualsIgnoreCase(word, "END"))
                        {
                            atomicDepth--;
                        }

                        isBegin = Ascii.EqualsIgnoreCase(word, "BEGIN");
                    }

                    break;

                default:
                    break;
            }

            if (token.Kind != SqlTokenKind.Word && header is not (RoutineHeader.Routine or RoutineHeader.NotRoutine))
            {
                // The header is words only: "CREATE (" or "CREATE "function"" is no routine.
                header = RoutineHeader.NotRoutine;
            }

            afterBegin = isBegin;
            if (token.IsUnterminated)
            {
                // An open construct always runs to the end of the input, so there is at most one.
                (errors ??= []).Add(DescribeUnterminated(token));
            }

            if (start < 0)
            {
                start = token.Start;
            }

            end = token.End;
        }

        if (start >= 0)
        {
            AddStatement(statements, start, end, semicolonEnd: -1, ref lexer, ref errors);
        }

        if (errors is { Count: > 1 })
        {
            // A COPY's errors are found after the COPY's own; the list is in the order of the text (a stable sort).
            errors = [.. errors.OrderBy(e => e.Offset)];
        }

        return (directive, phase ?? MigrationPhase.Pre);
    }

    // semicolonEnd is the offset just past the statement's terminating semicolon, or -1 when no semicolon ends it.
    private void AddStatement(List<SqlStatement> statements, int start, int end, int semicolonEnd, ref SqlLexer lexer, ref List<SqlSyntaxError>? errors)
    {
        ReadOnlySpan<char> text = Text.AsSpan(start, end - start);
        var classification = SqlStatementClassifier.Classify(text);
        SqlCopyData? data = SqlCopyCommand.TryParseFromStdin(text, out SqlCopyFormat format)
            ? ReadCopyData(start, end, semicolonEnd, format, ref lexer, ref errors)
            : null;
        statements.Add(new SqlStatement(this, start, end - start, classification, data));
    }

    // psql sends COPY ... FROM STDIN when it reads its semicolon, then reads the data from the script itself: from the
    // line after the one that holds the semicolon, line by line, until a line that is exactly \. (LF or CRLF).
    // The lexer goes on after that line.
    private SqlCopyData ReadCopyData(int start, int end, int semicolonEnd, SqlCopyFormat format, ref SqlLexer lexer, ref List<SqlSyntaxError>? errors)
    {
        string text = Text;
        if (format == SqlCopyFormat.Binary)
        {
            (errors ??= []).Add(Error(start, SqlSyntaxErrorKind.BinaryCopyData, position => string.Create(
                CultureInfo.InvariantCulture,
                $"COPY ... FROM STDIN in binary format at {position}: a text script cannot hold binary data. Dump the data as text (pg_dump's default) or csv instead.")));
        }

        if (semicolonEnd < 0)
        {
            (errors ??= []).Add(Error(start, SqlSyntaxErrorKind.UnterminatedCopyData, position => string.Create(
                CultureInfo.InvariantCulture,
                $"COPY ... FROM STDIN at {position} does not end with a semicolon, so no data follows it. End it with ; and put its data on the lines after it, followed by a line holding only \\.")));
            return new SqlCopyData(this, end, 0, format, isTerminated: false);
        }

        int newline = text.IndexOf('\n', semicolonEnd);
        int lineEnd = newline < 0 ? text.Length : newline;
        var rest = new SqlLexer(text.AsSpan(0, lineEnd)) { Position = semicolonEnd };
        while (rest.TryRead(out SqlToken token))
        {
            if (token.Kind is SqlTokenKind.LineComment or SqlTokenKind.Semicolon || (token.Kind is SqlTokenKind.BlockComment && !token.IsUnterminated))
            {
                continue;
            }

            (errors ??= []).Add(Error(token.Start, SqlSyntaxErrorKind.TextAfterCopy, position => string.Create(
                CultureInfo.InvariantCulture,
                $"SQL after COPY ... FROM STDIN; on the same line, at {position}: psql would run it only after the data on the lines below. Move it to a line of its own after the \\. line.")));
            break;
        }

        int dataStart = newline < 0 ? text.Length : newline + 1;
        for (int i = dataStart; i < text.Length;)
        {
            int relative = text.AsSpan(i).IndexOf('\n');
            int lineStop = relative < 0 ? text.Length : i + relative;
            ReadOnlySpan<char> line = text.AsSpan(i, lineStop - i);
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            if (line is "\\.")
            {
                lexer.Position = relative < 0 ? text.Length : lineStop + 1;
                return new SqlCopyData(this, dataStart, i - dataStart, format, isTerminated: true);
            }

            i = relative < 0 ? text.Length : lineStop + 1;
        }

        int dataLine = GetPosition(dataStart).Line;
        (errors ??= []).Add(Error(start, SqlSyntaxErrorKind.UnterminatedCopyData, position => string.Create(
            CultureInfo.InvariantCulture,
            $"unterminated data of COPY ... FROM STDIN at {position}: no line holding only \\. ends it, so every line from line {dataLine} to the end of the script would be sent as its data. End the data with a line holding only \\.")));
        lexer.Position = text.Length;
        return new SqlCopyData(this, dataStart, text.Length - dataStart, format, isTerminated: false);
    }

    private SqlSyntaxError Error(int offset, SqlSyntaxErrorKind kind, Func<SqlPosition, string> message)
    {
        SqlPosition position = GetPosition(offset);
        return new SqlSyntaxError(offset, position, message(position), kind);
    }

    /// <summary>
    /// Whether a meta-command is <c>\restrict KEY</c> or <c>\unrestrict KEY</c>, which pg_dump (15.14, 16.10, 17.6 and
    /// later) writes at the start and end of every plain dump so that psql refuses meta-commands inside it. MigrationKit
    /// runs no meta-command at all, so they guard nothing here and are passed over: a pg_dump file runs as a migration.
    /// </summary>
    private bool IsDumpRestriction(SqlToken token)
    {
        ReadOnlySpan<char> text = Text.AsSpan(token.Start, token.Length);
        return text.StartsWith("\\restrict ", StringComparison.Ordinal) || text.StartsWith("\\unrestrict ", StringComparison.Ordinal);
    }

    private SqlSyntaxError DescribeMetaCommand(SqlToken token)
    {
        ReadOnlySpan<char> rest = Text.AsSpan(token.Start + 1, token.Length - 1);
        int length = 0;
        while (length < rest.Length && (char.IsAsciiLetterOrDigit(rest[length]) || rest[length] == '_'))
        {
            length++;
        }

        string command = string.Concat("\\", length == 0 && rest.Length > 0 ? rest[..1] : rest[..length]);
        string hint = command switch
        {
            "\\i" or "\\ir" or "\\include" or "\\include_relative" => "Put the statements of the included file into this script, or make that file a migration of its own.",
            "\\set" or "\\unset" or "\\gset" or "\\getenv" or "\\if" or "\\elif" or "\\else" or "\\endif" => "Write the values into the SQL itself; psql variables (:name) are not SQL either.",
            "\\c" or "\\connect" => "Every script runs on the database MigrationKit is given; keep another database's migrations in a folder of their own.",
            "\\echo" or "\\qecho" or "\\warn" => "Remove it, or use RAISE NOTICE in a DO block.",
            "\\." => "A line holding only \\. ends the data of a COPY ... FROM STDIN, and no such statement comes before this one: does the COPY end with a semicolon?",
            "\\;" => "psql's \\; joins statements into one query; write ; instead.",
            _ => "Remove it, or write what it does in SQL.",
        };
        return Error(token.Start, SqlSyntaxErrorKind.MetaCommand, position => string.Create(
            CultureInfo.InvariantCulture,
            $"psql meta-command: MigrationKit sends SQL only, and {command} at {position} is a command of psql, not SQL. {hint}"));
    }

    private SqlSyntaxError DescribeUnterminated(SqlToken token)
    {
        string construct = token.Kind switch
        {
            SqlTokenKind.StandardString => "quoted string",
            SqlTokenKind.EscapeString => "escape string (E'...')",
            SqlTokenKind.UnicodeString => "Unicode string (U&'...')",
            SqlTokenKind.NationalString => "national character string (N'...')",
            SqlTokenKind.BitString => "bit string (B'...')",
            SqlTokenKind.HexString => "hexadecimal string (X'...')",
            SqlTokenKind.QuotedIdentifier => "quoted identifier",
            SqlTokenKind.UnicodeQuotedIdentifier => "Unicode quoted identifier (U&\"...\")",
            SqlTokenKind.DollarString => "dollar-quoted string " + DollarTag(token),
            SqlTokenKind.BlockComment => "/* comment",
            _ => "construct",
        };
        SqlPosition position = GetPosition(token.Start);
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"unterminated {construct} starting at line {position.Line}, column {position.Column}");
        return new SqlSyntaxError(token.Start, position, message);
    }

    private string DollarTag(SqlToken token)
    {
        ReadOnlySpan<char> rest = Text.AsSpan(token.Start + 1, token.Length - 1);
        return string.Concat("$", rest[..(rest.IndexOf('$') + 1)]);
    }

    private string? ExplainOutsideTransaction(List<SqlStatement> statements, SqlStatement? controlCulprit)
    {
        if (HasNoTransactionDirective)
        {
            return "it carries -- " + DirectiveText;
        }

        foreach (SqlStatement statement in statements)
        {
            if (ReferenceEquals(statement, controlCulprit))
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"line {statement.Position.Line}: it controls transactions itself ({statement.TransactionControlLabel})");
            }

            if (statement.NonTransactionalReason is { } reason)
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"line {statement.Position.Line}: {reason} cannot run inside a transaction block");
            }
        }

        return null;
    }
}
