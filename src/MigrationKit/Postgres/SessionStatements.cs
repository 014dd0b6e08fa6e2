using MigrationKit.Sql;

namespace MigrationKit.Postgres;

/// <summary>
/// Finds statements that change the session rather than the schema (<c>SET</c>, <c>RESET</c>, <c>SET ROLE</c>,
/// <c>DISCARD</c>, <c>LISTEN</c>, <c>PREPARE</c>, …): outside a transaction behind a pooler they would stay on a server
/// connection other clients share. <c>SET LOCAL</c>, <c>SET TRANSACTION</c> and <c>SET CONSTRAINTS</c> end with their
/// transaction and are not counted.
/// </summary>
internal static class SessionStatements
{
    public static SqlStatement? FindFirst(SqlScript script)
    {
        foreach (SqlStatement statement in script.Statements)
        {
            if (ChangesSession(statement.AsSpan()))
            {
                return statement;
            }
        }

        return null;
    }

    internal static bool ChangesSession(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<char> first = NextWord(ref text);
        if (first.Equals("SET", StringComparison.OrdinalIgnoreCase))
        {
            ReadOnlySpan<char> second = NextWord(ref text);
            return !(second.Equals("LOCAL", StringComparison.OrdinalIgnoreCase)
                || second.Equals("TRANSACTION", StringComparison.OrdinalIgnoreCase)
                || second.Equals("CONSTRAINTS", StringComparison.OrdinalIgnoreCase));
        }

        return first.Equals("RESET", StringComparison.OrdinalIgnoreCase)
            || first.Equals("DISCARD", StringComparison.OrdinalIgnoreCase)
            || first.Equals("LISTEN", StringComparison.OrdinalIgnoreCase)
            || first.Equals("UNLISTEN", StringComparison.OrdinalIgnoreCase)
            || first.Equals("PREPARE", StringComparison.OrdinalIgnoreCase)
            || first.Equals("DEALLOCATE", StringComparison.OrdinalIgnoreCase)
            || first.Equals("LOAD", StringComparison.OrdinalIgnoreCase);
    }

    private static ReadOnlySpan<char> NextWord(ref ReadOnlySpan<char> text)
    {
        text = text.TrimStart();
        int end = 0;
        while (end < text.Length && (char.IsAsciiLetter(text[end]) || text[end] == '_'))
        {
            end++;
        }

        ReadOnlySpan<char> word = text[..end];
        text = text[end..];
        return word;
    }
}
