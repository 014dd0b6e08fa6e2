namespace MigrationKit.Sql;

// Temporary stand-in with the lexer's API (a naive split on ';'); the real lexer replaces this file.
internal sealed class SqlScript
{
    private SqlScript(string text)
    {
        Text = text;
        var statements = new List<SqlStatement>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ';')
            {
                int s = start;
                while (s < i && char.IsWhiteSpace(text[s]))
                {
                    s++;
                }

                int e = i;
                while (e > s && char.IsWhiteSpace(text[e - 1]))
                {
                    e--;
                }

                if (e > s)
                {
                    statements.Add(new SqlStatement(this, s, e - s));
                }

                start = i + 1;
            }
        }

        Statements = statements;
        Body = statements;
    }

    public string Text { get; }

    public IReadOnlyList<SqlStatement> Statements { get; }

    public IReadOnlyList<SqlStatement> Body { get; }

    public IReadOnlyList<SqlSyntaxError> Errors { get; } = [];

    public bool HasNoTransactionDirective => Text.Contains("-- migrationkit:no-transaction", StringComparison.OrdinalIgnoreCase);

    public TransactionShape TransactionShape => Text.Length < 0 ? TransactionShape.Other : TransactionShape.None;

    public bool RunsOutsideTransaction => HasNoTransactionDirective || Text.Contains("CONCURRENTLY", StringComparison.OrdinalIgnoreCase);

    public string? OutsideTransactionReason => RunsOutsideTransaction ? "it carries -- migrationkit:no-transaction" : null;

    public bool IsEmpty => Statements.Count == 0;

    public static SqlScript Parse(string text) => new(text);

    public SqlPosition GetPosition(int offset)
    {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < Text.Length; i++)
        {
            if (Text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new SqlPosition(line, offset - lineStart + 1);
    }

    public SqlPosition GetPositionOfServerError(SqlStatement statement, int serverPosition) =>
        GetPosition(statement.Offset + Math.Max(0, serverPosition - 1));
}

internal readonly record struct SqlPosition(int Line, int Column);

internal sealed class SqlStatement(SqlScript script, int offset, int length)
{
    public int Offset { get; } = offset;

    public int Length { get; } = length;

    public string Text => script.Text.Substring(Offset, Length);

    public SqlPosition Position => script.GetPosition(Offset);

    public SqlStatementKind Kind => Length < 0 ? SqlStatementKind.Begin : SqlStatementKind.Other;

    public string? NonTransactionalReason => Length < 0 ? "x" : null;
}

internal enum SqlStatementKind
{
    Other,
    Begin,
    Commit,
    Rollback,
    Savepoint,
    OtherTransactionControl,
}

internal enum TransactionShape
{
    None,
    Wrapped,
    Other,
}

internal sealed record SqlSyntaxError(int Offset, SqlPosition Position, string Message);
