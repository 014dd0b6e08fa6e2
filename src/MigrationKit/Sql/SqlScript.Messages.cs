using System.Globalization;

namespace MigrationKit.Sql;

/// <content>The messages: each lexical error and the reason a script runs outside a transaction, in words a user acts on.</content>
internal sealed partial class SqlScript
{
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
