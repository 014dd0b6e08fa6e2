using System.Globalization;
using System.Text;

namespace MigrationKit.Sql;

/// <content>The split: statements, directives, COPY data blocks and the lexical errors, in one pass over the text.</content>
internal sealed partial class SqlScript
{
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
}
