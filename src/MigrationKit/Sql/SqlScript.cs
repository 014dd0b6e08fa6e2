namespace MigrationKit.Sql;

// Placeholder API; the lexer replaces this file.
internal sealed class SqlScript
{
    private SqlScript(string text) => Text = text;

    public string Text { get; }

    public bool RunsOutsideTransaction => false;

    public string? OutsideTransactionReason => null;

    public static SqlScript Parse(string text) => new(text);
}
