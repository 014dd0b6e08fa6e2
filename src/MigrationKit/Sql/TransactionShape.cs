namespace MigrationKit.Sql;

/// <summary>How a script uses transaction control statements.</summary>
internal enum TransactionShape
{
    /// <summary>The script has no transaction control statement.</summary>
    None,

    /// <summary>
    /// The script is a plain <c>BEGIN</c>, statements without transaction control, and a plain <c>COMMIT</c>
    /// (golang-migrate's templates); the wrapper can be replaced by the runner's own transaction.
    /// </summary>
    Wrapped,

    /// <summary>The script controls transactions in any other way and must run as written.</summary>
    Other,
}
