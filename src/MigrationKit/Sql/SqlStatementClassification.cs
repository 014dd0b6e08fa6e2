namespace MigrationKit.Sql;

/// <summary>What <see cref="SqlStatementClassifier"/> found out about a statement.</summary>
/// <param name="Kind">What the statement does to the transaction.</param>
/// <param name="IsPlainTransactionControl">
/// For <see cref="SqlStatementKind.Begin"/> and <see cref="SqlStatementKind.Commit"/>: whether it has no transaction
/// modes and no chaining, so that a runner may replace it with its own transaction.
/// </param>
/// <param name="TransactionControlLabel">For transaction control, a short name such as <c>COMMIT</c> or <c>ROLLBACK TO SAVEPOINT</c>.</param>
/// <param name="NonTransactionalReason">The command PostgreSQL refuses in a transaction block, such as <c>CREATE INDEX CONCURRENTLY</c>.</param>
internal readonly record struct SqlStatementClassification(
    SqlStatementKind Kind,
    bool IsPlainTransactionControl,
    string? TransactionControlLabel,
    string? NonTransactionalReason)
{
    /// <summary>Gets the classification of an ordinary statement.</summary>
    public static SqlStatementClassification Other => default;

    /// <summary>Creates the classification of a statement PostgreSQL refuses in a transaction block.</summary>
    /// <param name="reason">The command, as PostgreSQL names it.</param>
    /// <returns>The classification.</returns>
    public static SqlStatementClassification NonTransactional(string reason) => new(SqlStatementKind.Other, false, null, reason);

    /// <summary>Creates the classification of a transaction control statement.</summary>
    /// <param name="kind">Its kind.</param>
    /// <param name="label">Its short name.</param>
    /// <param name="isPlain">Whether it is a plain BEGIN or COMMIT.</param>
    /// <returns>The classification.</returns>
    public static SqlStatementClassification Control(SqlStatementKind kind, string label, bool isPlain = false) => new(kind, isPlain, label, null);
}
