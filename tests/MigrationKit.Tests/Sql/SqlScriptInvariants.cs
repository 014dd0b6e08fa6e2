using System.Globalization;
using System.Text;
using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

/// <summary>Properties every parse must have, whatever the input; checked by the fuzz tests.</summary>
internal static class SqlScriptInvariants
{
    /// <summary>Parses a text and checks every invariant, failing with the input spelled out.</summary>
    /// <param name="text">Any text.</param>
    /// <param name="context">Where the text came from (seed and case), for the failure message.</param>
    public static void Check(string text, string context)
    {
        try
        {
            CheckUnguarded(text);
        }
        catch (Exception exception) when (exception is not AssertionException)
        {
            Assert.Fail($"{context}: {exception.GetType().Name} for {Escape(text)}\n{exception}");
        }
        catch (AssertionException exception)
        {
            Assert.Fail($"{context}: {Escape(text)}\n{exception.Message}");
        }
    }

    /// <summary>Spells out a text as a C# literal, so that a failing case can be pasted into a test.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The literal.</returns>
    public static string Escape(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c < ' ' || c > '~' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    /// <summary>The position of an offset, computed the slow and obvious way.</summary>
    /// <param name="text">The text.</param>
    /// <param name="offset">The offset.</param>
    /// <returns>The 1-based line and code point column.</returns>
    public static SqlPosition NaivePosition(string text, int offset)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset; i++)
        {
            char c = text[i];
            if (c == '\n' || (c == '\r' && !(i + 1 < text.Length && text[i + 1] == '\n')))
            {
                line++;
                column = 1;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                // A pair counts once it is wholly before the offset.
                if (i + 1 < offset)
                {
                    i++;
                    column++;
                }
            }
            else
            {
                column++;
            }
        }

        return new SqlPosition(line, column);
    }

    private static void CheckUnguarded(string text)
    {
        SqlScript script = SqlScript.Parse(text);
        Require(ReferenceEquals(script.Text, text), "Text is the parsed text");

        int previousEnd = -1;
        int covered = 0;
        foreach (SqlStatement statement in script.Statements)
        {
            int end = statement.Offset + statement.Length;
            Require(statement.Offset > previousEnd, $"statement at {statement.Offset} starts after the previous one, which ends at {previousEnd}");
            CheckGap(script, covered, statement.Offset);
            Require(statement.Length > 0 && end <= text.Length, $"statement at {statement.Offset} with length {statement.Length} lies within the text");
            Require(statement.Text == text.Substring(statement.Offset, statement.Length), "Text is the substring at Offset");
            Require(!SqlLexer.IsSpace(statement.Text[0]), "a statement does not start with whitespace");
            Require(!text.AsSpan(statement.Offset).StartsWith("--", StringComparison.Ordinal), "a statement does not start with a line comment");
            Require(statement.Position == NaivePosition(text, statement.Offset), $"Position of the statement at {statement.Offset}");
            CheckReparsesToItself(statement);
            CheckServerPositions(script, statement);
            previousEnd = end;
            covered = end;
            if (statement.CopyData is { } data)
            {
                CheckGap(script, end, data.Offset);
                covered = CheckCopyData(script, statement, data);
                previousEnd = covered - 1;
            }
        }

        CheckGap(script, covered, text.Length);

        int runningToTheEnd = script.Errors.Count(e => e.Kind == SqlSyntaxErrorKind.Unterminated)
            + script.Statements.Count(s => s.CopyData is { IsTerminated: false, Length: > 0 });
        Require(runningToTheEnd <= 1, "an open construct or data block runs to the end, so there is at most one");
        Require(script.Errors.Select(e => e.Offset).SequenceEqual(script.Errors.Select(e => e.Offset).Order()), "errors are in the order of the text");
        foreach (SqlSyntaxError error in script.Errors)
        {
            Require(error.Offset >= 0 && error.Offset < text.Length, "the error lies within the text");
            Require(error.Position == NaivePosition(text, error.Offset), "Position of the error");
            SqlStatement last = script.Statements.Count > 0 ? script.Statements[^1] : null!;
            switch (error.Kind)
            {
                case SqlSyntaxErrorKind.Unterminated:
                    Require(last is not null && last.Offset <= error.Offset && last.Offset + last.Length == text.Length, "the last statement holds the error and runs to the end");
                    Require(error.Message.StartsWith("unterminated ", StringComparison.Ordinal), "the message names the construct");
                    break;
                case SqlSyntaxErrorKind.UnterminatedCopyData or SqlSyntaxErrorKind.BinaryCopyData:
                    Require(script.Statements.Any(s => s.Offset == error.Offset && s.CopyData is not null), "a COPY error is at a COPY ... FROM STDIN statement");
                    Require(error.Kind != SqlSyntaxErrorKind.UnterminatedCopyData || script.Statements.Single(s => s.Offset == error.Offset).CopyData!.IsTerminated == false, "an unterminated COPY has unterminated data");
                    break;
                case SqlSyntaxErrorKind.MetaCommand:
                    Require(text[error.Offset] == '\\', "a meta-command starts at a backslash");
                    Require(error.Message.StartsWith("psql meta-command: MigrationKit sends SQL only", StringComparison.Ordinal), "the message says what a meta-command is");
                    Require(!script.Statements.Any(s => s.Offset <= error.Offset && error.Offset < s.Offset + s.Length), "a meta-command is in no statement");
                    break;
                default:
                    Require(script.Statements.Any(s => s.CopyData is not null && s.Offset < error.Offset && error.Offset < s.CopyData.Offset), "SQL after a COPY is on its line");
                    break;
            }
        }

        foreach (SqlStatement copy in script.Statements.Where(s => s.CopyData is { IsTerminated: false }))
        {
            Require(script.Errors.Any(e => e.Offset == copy.Offset && e.Kind == SqlSyntaxErrorKind.UnterminatedCopyData), "unterminated data is an error");
        }

        Require(script.IsEmpty == (script.Statements.Count == 0), "IsEmpty");
        Require(script.RunsOutsideTransaction == (script.OutsideTransactionReason is not null), "RunsOutsideTransaction matches the reason");
        if (script.TransactionShape == TransactionShape.Wrapped)
        {
            Require(script.Body.SequenceEqual(script.Statements.Skip(1).Take(script.Statements.Count - 2)), "Body of a wrapped script");
            Require(script.Body.All(s => s.Kind == SqlStatementKind.Other), "a wrapped body has no transaction control");
        }
        else
        {
            Require(ReferenceEquals(script.Body, script.Statements), "Body of an unwrapped script");
        }

        bool anyControl = script.Statements.Any(s => s.Kind != SqlStatementKind.Other);
        Require(anyControl == (script.TransactionShape != TransactionShape.None), "the shape is None exactly without transaction control");
        bool mustRunOutside = script.HasNoTransactionDirective
            || script.TransactionShape == TransactionShape.Other
            || script.Statements.Any(s => s.NonTransactionalReason is not null);
        Require(script.RunsOutsideTransaction == mustRunOutside, "RunsOutsideTransaction");

        // Every statement but the last ended at a semicolon outside any construct: joined again (a COPY with its data
        // and end marker), they split again. A meta-command ends a statement without a semicolon.
        if (script.Statements.Count > 1 && !script.Errors.Any(e => e.Kind == SqlSyntaxErrorKind.MetaCommand))
        {
            SqlStatement[] closed = [.. script.Statements.Take(script.Statements.Count - 1)];
            string joined = string.Concat(closed.Select(s => s.Text + ";\n" + (s.CopyData is { } d ? d.Text + "\\.\n" : string.Empty)));
            SqlScript again = SqlScript.Parse(joined);
            Require(again.Statements.Select(s => s.Text).SequenceEqual(closed.Select(s => s.Text)), "closed statements joined with semicolons split into themselves");
            Require(again.Statements.Select(s => s.CopyData?.Text).SequenceEqual(closed.Select(s => s.CopyData?.Text)), "closed COPY statements keep their data");
        }

        for (int offset = 0; offset <= text.Length; offset += 1 + (text.Length / 16))
        {
            Require(script.GetPosition(offset) == NaivePosition(text, offset), $"GetPosition({offset})");
        }
    }

    // Between statements (and COPY data) there is nothing but whitespace, comments, semicolons and meta-commands: no
    // text is silently dropped.
    private static void CheckGap(SqlScript script, int from, int to)
    {
        if (from >= to || script.Errors.Any(e => e.Kind == SqlSyntaxErrorKind.TextAfterCopy && from <= e.Offset && e.Offset < to))
        {
            return;
        }

        var lexer = new SqlLexer(script.Text.AsSpan(from, to - from));
        while (lexer.TryRead(out SqlToken token))
        {
            bool skipped = token.Kind is SqlTokenKind.LineComment or SqlTokenKind.Semicolon or SqlTokenKind.MetaCommand
                || (token.Kind == SqlTokenKind.BlockComment && !token.IsUnterminated);
            Require(skipped, $"only whitespace, comments, semicolons and meta-commands lie between statements, not {token.Kind} at {from + token.Start}");
        }
    }

    // The data lies after its statement, is the text there, and is followed by its end marker line; returns the end of that line.
    private static int CheckCopyData(SqlScript script, SqlStatement statement, SqlCopyData data)
    {
        string text = script.Text;
        int dataEnd = data.Offset + data.Length;
        Require(data.Offset >= statement.Offset + statement.Length && dataEnd <= text.Length, "the data lies after its statement");
        Require(data.Text == text.Substring(data.Offset, data.Length) && data.AsSpan().SequenceEqual(data.Text), "the data is the text at its offset");
        Require(data.Offset == statement.Offset + statement.Length || data.Offset == 0 || text[data.Offset - 1] == '\n' || !data.IsTerminated, "the data starts at a line start");
        if (!data.IsTerminated)
        {
            return dataEnd;
        }

        Require(data.Length == 0 || text[dataEnd - 1] == '\n', "terminated data ends with a newline");
        string rest = text[dataEnd..];
        string marker = rest.StartsWith("\\.\r\n", StringComparison.Ordinal) ? "\\.\r\n"
            : rest.StartsWith("\\.\n", StringComparison.Ordinal) ? "\\.\n"
            : rest is "\\." or "\\.\r" ? rest
            : string.Empty;
        Require(marker.Length > 0, "terminated data is followed by its end marker line");
        Require(!data.Text.Split('\n').Any(line => line is "\\." or "\\.\r"), "the data holds no end marker line");
        return dataEnd + marker.Length;
    }

    // A statement starts in the lexer's initial state at parenthesis depth 0, so on its own it lexes the same.
    private static void CheckReparsesToItself(SqlStatement statement)
    {
        SqlScript alone = SqlScript.Parse(statement.Text);
        Require(alone.Statements.Count == 1, $"the statement at {statement.Offset} parses alone into one statement, not {alone.Statements.Count}");
        SqlStatement again = alone.Statements[0];
        Require(again.Offset == 0 && again.Length == statement.Length, "the statement alone is all of its text");
        Require(again.Kind == statement.Kind && again.NonTransactionalReason == statement.NonTransactionalReason, "the statement alone classifies the same");
        Require(again.IsPlainTransactionControl == statement.IsPlainTransactionControl, "the statement alone is as plain");
    }

    private static void CheckServerPositions(SqlScript script, SqlStatement statement)
    {
        string text = statement.Text;
        var starts = new List<int>();
        for (int i = 0; i < text.Length;)
        {
            starts.Add(i);
            Rune.DecodeFromUtf16(text.AsSpan(i), out _, out int consumed);
            i += consumed;
        }

        starts.Add(text.Length);
        int step = 1 + (starts.Count / 8);
        for (int p = 1; p <= starts.Count; p += step)
        {
            SqlPosition expected = NaivePosition(script.Text, statement.Offset + starts[p - 1]);
            Require(script.GetPositionOfServerError(statement, p) == expected, $"server position {p} in the statement at {statement.Offset}");
        }

        Require(script.GetPositionOfServerError(statement, starts.Count + 1) == statement.Position, "a server position past the end gives the start");
        Require(script.GetPositionOfServerError(statement, 0) == statement.Position, "server position 0 gives the start");
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new AssertionException("Broken: " + what);
        }
    }
}
