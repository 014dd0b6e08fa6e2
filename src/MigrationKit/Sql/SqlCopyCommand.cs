using System.Text;

namespace MigrationKit.Sql;

/// <summary>
/// Recognises a <c>COPY ... FROM STDIN</c> statement and reads what its data's format needs: the format, and for CSV
/// the quote and escape characters.
/// </summary>
/// <remarks>
/// Both option syntaxes are read: <c>WITH (FORMAT csv, QUOTE '"')</c> and the older <c>WITH CSV HEADER QUOTE AS '"'</c>,
/// as well as <c>COPY BINARY t FROM STDIN</c>. <c>COPY ... TO STDOUT</c>, <c>COPY ... FROM 'file'</c> and
/// <c>COPY ... FROM PROGRAM</c> are ordinary statements: the server does the work.
/// </remarks>
internal static class SqlCopyCommand
{
    /// <summary>Reads a statement as <c>COPY ... FROM STDIN</c>.</summary>
    /// <param name="statement">The statement text, starting at its first token.</param>
    /// <param name="options">The data's format and CSV characters, when it is one.</param>
    /// <returns><see langword="true"/> when the statement is a <c>COPY ... FROM STDIN</c>.</returns>
    public static bool TryParseFromStdin(ReadOnlySpan<char> statement, out SqlCopyOptions options)
    {
        options = default;
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

        SqlCopyFormat format = binary ? SqlCopyFormat.Binary : SqlCopyFormat.Text;
        char quote = '"';
        char? escape = null;
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
                    ReadOption(ref cursor, name, ref format, ref quote, ref escape);
                    name = null;
                }
            }
        }
        else
        {
            // The older syntax: [WITH] [BINARY] [OIDS] [DELIMITER [AS] 'd'] [NULL [AS] 'n'] [CSV [HEADER] [QUOTE [AS] 'q']
            // [ESCAPE [AS] 'e'] [FORCE NOT NULL columns]], then an optional WHERE clause.
            while (more && !cursor.IsKeyword("WHERE"))
            {
                string? name = cursor.IsKeyword("BINARY") ? "FORMAT"
                    : cursor.IsKeyword("CSV") ? "FORMAT"
                    : cursor.IsKeyword("QUOTE") ? "QUOTE"
                    : cursor.IsKeyword("ESCAPE") ? "ESCAPE"
                    : null;
                if (name == "FORMAT")
                {
                    ReadOption(ref cursor, name, ref format, ref quote, ref escape);
                }
                else if (name is not null)
                {
                    more = cursor.MoveNext();
                    if (more && cursor.IsKeyword("AS"))
                    {
                        more = cursor.MoveNext();
                    }

                    if (more)
                    {
                        ReadOption(ref cursor, name, ref format, ref quote, ref escape);
                    }

                    continue;
                }

                more = cursor.MoveNext();
            }
        }

        options = new SqlCopyOptions(format, quote, escape ?? quote);
        return true;
    }

    private static void ReadOption(ref SqlTokenCursor cursor, string name, ref SqlCopyFormat format, ref char quote, ref char? escape)
    {
        if (Ascii.EqualsIgnoreCase(name, "FORMAT"))
        {
            ReadOnlySpan<char> value = Unquote(cursor.Current.Kind, cursor.CurrentText);
            format = Ascii.EqualsIgnoreCase(value, "csv") ? SqlCopyFormat.Csv
                : Ascii.EqualsIgnoreCase(value, "binary") ? SqlCopyFormat.Binary
                : Ascii.EqualsIgnoreCase(value, "text") ? SqlCopyFormat.Text
                : format;
        }
        else if (Ascii.EqualsIgnoreCase(name, "QUOTE") && SingleCharacter(ref cursor) is { } q)
        {
            quote = q;
        }
        else if (Ascii.EqualsIgnoreCase(name, "ESCAPE") && SingleCharacter(ref cursor) is { } e)
        {
            escape = e;
        }
    }

    private static ReadOnlySpan<char> Unquote(SqlTokenKind kind, ReadOnlySpan<char> text) => kind switch
    {
        SqlTokenKind.StandardString when text.Length >= 2 => text[1..^1],
        SqlTokenKind.QuotedIdentifier when text.Length >= 2 => text[1..^1],
        _ => text,
    };

    // 'x', '''' and E'\\' are one character; anything else leaves the default (the server rejects it anyway).
    private static char? SingleCharacter(ref SqlTokenCursor cursor)
    {
        ReadOnlySpan<char> text = cursor.CurrentText;
        switch (cursor.Current.Kind)
        {
            case SqlTokenKind.StandardString when text.Length >= 2:
                ReadOnlySpan<char> content = text[1..^1];
                return content.Length == 1 ? content[0] : content is "''" ? '\'' : null;
            case SqlTokenKind.EscapeString when text.Length >= 3:
                ReadOnlySpan<char> escaped = text[2..^1];
                return escaped.Length == 1 ? escaped[0]
                    : escaped.Length == 2 && escaped[0] == '\\' ? escaped[1]
                    : escaped is "''" ? '\''
                    : null;
            default:
                return null;
        }
    }
}
