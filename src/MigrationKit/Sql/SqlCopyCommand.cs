using System.Text;

namespace MigrationKit.Sql;

/// <summary>
/// Recognises a <c>COPY ... FROM STDIN</c> statement and reads the format of its data.
/// </summary>
/// <remarks>
/// Both option syntaxes are read: <c>WITH (FORMAT csv, HEADER true)</c> and the older <c>WITH CSV HEADER</c>,
/// as well as <c>COPY BINARY t FROM STDIN</c>. <c>COPY ... TO STDOUT</c>, <c>COPY ... FROM 'file'</c> and
/// <c>COPY ... FROM PROGRAM</c> are ordinary statements: the server does the work.
/// </remarks>
internal static class SqlCopyCommand
{
    /// <summary>Reads a statement as <c>COPY ... FROM STDIN</c>.</summary>
    /// <param name="statement">The statement text, starting at its first token.</param>
    /// <param name="format">The data's format, when it is one.</param>
    /// <returns><see langword="true"/> when the statement is a <c>COPY ... FROM STDIN</c>.</returns>
    public static bool TryParseFromStdin(ReadOnlySpan<char> statement, out SqlCopyFormat format)
    {
        format = SqlCopyFormat.Text;
        var cursor = new SqlTokenCursor(statement);
        if (!cursor.MoveNextIsKeyword("COPY"))
        {
            return false;
        }

        // COPY [BINARY] { table [(columns)] | (query) } { FROM | TO } ...: the first FROM or TO outside parentheses.
        bool binary = false;
        bool first = true;
        while (true)
        {
            if (!cursor.MoveNext())
            {
                return false;
            }

            if (cursor.Level != 0)
            {
                continue;
            }

            if (first && cursor.IsKeyword("BINARY"))
            {
                binary = true;
            }
            else if (cursor.IsKeyword("TO"))
            {
                return false;
            }
            else if (cursor.IsKeyword("FROM"))
            {
                break;
            }

            first = false;
        }

        if (!cursor.MoveNextIsKeyword("STDIN"))
        {
            return false;
        }

        format = binary ? SqlCopyFormat.Binary : SqlCopyFormat.Text;
        bool more = cursor.MoveNext();
        if (more && cursor.IsKeyword("WITH"))
        {
            more = cursor.MoveNext();
        }

        if (more && cursor.Current.Kind == SqlTokenKind.OpenParenthesis)
        {
            // ( name [value] [, ...] ); a value may itself be a parenthesised list (FORCE_QUOTE (a, b)).
            bool expectName = true;
            string? name = null;
            while (cursor.MoveNext() && !(cursor.Current.Kind == SqlTokenKind.CloseParenthesis && cursor.Level == 0))
            {
                if (cursor.Level != 1)
                {
                    continue;
                }

                if (cursor.Current.Kind == SqlTokenKind.Symbol && cursor.CurrentText is ",")
                {
                    expectName = true;
                    name = null;
                }
                else if (expectName)
                {
                    name = cursor.Current.Kind == SqlTokenKind.Word ? cursor.CurrentText.ToString() : null;
                    expectName = false;
                }
                else if (name is not null)
                {
                    if (Ascii.EqualsIgnoreCase(name, "FORMAT"))
                    {
                        format = ReadFormat(cursor.Current.Kind, cursor.CurrentText, format);
                    }

                    name = null;
                }
            }
        }
        else
        {
            // The older syntax: [WITH] [BINARY] [OIDS] [DELIMITER [AS] 'd'] [NULL [AS] 'n'] [CSV [HEADER] [QUOTE [AS] 'q']
            // [ESCAPE [AS] 'e'] [FORCE NOT NULL columns]], then an optional WHERE clause. Only BINARY and CSV are
            // keywords there; the other values are strings.
            while (more && !cursor.IsKeyword("WHERE"))
            {
                format = cursor.IsKeyword("CSV") ? SqlCopyFormat.Csv : cursor.IsKeyword("BINARY") ? SqlCopyFormat.Binary : format;

                more = cursor.MoveNext();
            }
        }

        return true;
    }

    private static SqlCopyFormat ReadFormat(SqlTokenKind kind, ReadOnlySpan<char> text, SqlCopyFormat current)
    {
        ReadOnlySpan<char> value = kind is SqlTokenKind.StandardString or SqlTokenKind.QuotedIdentifier && text.Length >= 2 ? text[1..^1] : text;
        return Ascii.EqualsIgnoreCase(value, "csv") ? SqlCopyFormat.Csv
            : Ascii.EqualsIgnoreCase(value, "binary") ? SqlCopyFormat.Binary
            : Ascii.EqualsIgnoreCase(value, "text") ? SqlCopyFormat.Text
            : current;
    }
}
