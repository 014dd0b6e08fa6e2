namespace MigrationKit.Sql;

/// <summary>One top-level statement of a <see cref="SqlScript"/>.</summary>
internal sealed class SqlStatement
{
    internal SqlStatement(SqlScript script, int offset, int length, SqlStatementClassification classification, SqlCopyData? copyData = null)
    {
        Script = script;
        CopyData = copyData;
        Offset = offset;
        Length = length;
        Kind = classification.Kind;
        IsPlainTransactionControl = classification.IsPlainTransactionControl;
        TransactionControlLabel = classification.TransactionControlLabel;
        NonTransactionalReason = classification.NonTransactionalReason;
    }

    /// <summary>Gets the script the statement belongs to.</summary>
    public SqlScript Script { get; }

    /// <summary>
    /// Gets the UTF-16 offset of the statement's first token in the script. Whitespace and comments before it are
    /// not part of the statement.
    /// </summary>
    public int Offset { get; }

    /// <summary>
    /// Gets the length of the statement in UTF-16 code units: up to the end of its last token, so without the
    /// terminating <c>;</c> and without trailing whitespace or comments. A statement with a construct still open at
    /// the end of the input runs to the end of the input.
    /// </summary>
    public int Length { get; }

    /// <summary>
    /// Gets the text of the statement, exactly what is sent to the server. Each call returns a new string; use
    /// <see cref="AsSpan"/> to look at the text without allocating.
    /// </summary>
    public string Text => Script.Text.Substring(Offset, Length);

    /// <summary>Gets the 1-based line and column of the statement's first token.</summary>
    public SqlPosition Position => Script.GetPosition(Offset);

    /// <summary>
    /// Gets the data block of a <c>COPY ... FROM STDIN</c> statement (the lines after it, up to <c>\.</c>), or
    /// <see langword="null"/> for any other statement. Such a statement cannot be sent as a command: its text starts
    /// the copy, and the data goes through the COPY protocol (see <c>Postgres.CopyFromStdin</c>).
    /// </summary>
    public SqlCopyData? CopyData { get; }

    /// <summary>Gets a value indicating whether the statement is a <c>COPY ... FROM STDIN</c> with a data block.</summary>
    public bool IsCopyFromStdin => CopyData is not null;

    /// <summary>Gets what the statement does to the transaction it runs in.</summary>
    public SqlStatementKind Kind { get; }

    /// <summary>
    /// Gets the command PostgreSQL refuses to run in a transaction block, such as <c>CREATE INDEX CONCURRENTLY</c>,
    /// or <see langword="null"/>.
    /// </summary>
    public string? NonTransactionalReason { get; }

    /// <summary>
    /// Gets a value indicating whether a <see cref="SqlStatementKind.Begin"/> or <see cref="SqlStatementKind.Commit"/>
    /// is plain: no transaction modes, no <c>AND CHAIN</c>.
    /// </summary>
    internal bool IsPlainTransactionControl { get; }

    /// <summary>Gets a short name for a transaction control statement, such as <c>COMMIT</c>, or <see langword="null"/>.</summary>
    internal string? TransactionControlLabel { get; }

    /// <summary>Gets the text of the statement without allocating.</summary>
    /// <returns>The text.</returns>
    public ReadOnlySpan<char> AsSpan() => Script.Text.AsSpan(Offset, Length);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
