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
        foreach (SqlStatement statement in script.Statements)
        {
            int end = statement.Offset + statement.Length;
            Require(statement.Offset > previousEnd, $"statement at {statement.Offset} starts after the previous one, which ends at {previousEnd}");
            Require(statement.Length > 0 && end <= text.Length, $"statement at {statement.Offset} with length {statement.Length} lies within the text");
            Require(statement.Text == text.Substring(statement.Offset, statement.Length), "Text is the substring at Offset");
            Require(!SqlLexer.IsSpace(statement.Text[0]), "a statement does not start with whitespace");
            Require(!text.AsSpan(statement.Offset).StartsWith("--", StringComparison.Ordinal), "a statement does not start with a line comment");
            Require(statement.Position == NaivePosition(text, statement.Offset), $"Position of the statement at {statement.Offset}");
            CheckReparsesToItself(statement);
            CheckServerPositions(script, statement);
            previousEnd = end;
        }

        Require(script.Errors.Count <= 1, "an open construct runs to the end, so there is at most one error");
        foreach (SqlSyntaxError error in script.Errors)
        {
            Require(error.Offset >= 0 && error.Offset < text.Length, "the error lies within the text");
            Require(error.Position == NaivePosition(text, error.Offset), "Position of the error");
            SqlStatement last = script.Statements[^1];
            Require(last.Offset <= error.Offset && last.Offset + last.Length == text.Length, "the last statement holds the error and runs to the end");
            Require(error.Message.StartsWith("unterminated ", StringComparison.Ordinal), "the message names the construct");
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

        // Every statement but the last ended at a semicolon outside any construct: joined again, they split again.
        if (script.Statements.Count > 1)
        {
            string[] closed = [.. script.Statements.Take(script.Statements.Count - 1).Select(s => s.Text)];
            string[] again = [.. SqlScript.Parse(string.Join(";\n", closed)).Statements.Select(s => s.Text)];
            Require(again.SequenceEqual(closed), "closed statements joined with semicolons split into themselves");
        }

        for (int offset = 0; offset <= text.Length; offset += 1 + (text.Length / 16))
        {
            Require(script.GetPosition(offset) == NaivePosition(text, offset), $"GetPosition({offset})");
        }
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
