namespace MigrationKit.Sql;

/// <summary>What a statement does to the transaction it runs in.</summary>
internal enum SqlStatementKind
{
    /// <summary>Not a transaction control statement.</summary>
    Other,

    /// <summary><c>BEGIN</c> or <c>START TRANSACTION</c>.</summary>
    Begin,

    /// <summary><c>COMMIT</c> or <c>END</c>.</summary>
    Commit,

    /// <summary><c>ROLLBACK</c> or <c>ABORT</c>.</summary>
    Rollback,

    /// <summary><c>SAVEPOINT</c>, <c>RELEASE [SAVEPOINT]</c> or <c>ROLLBACK TO [SAVEPOINT]</c>.</summary>
    Savepoint,

    /// <summary><c>PREPARE TRANSACTION</c>, <c>COMMIT PREPARED</c> or <c>ROLLBACK PREPARED</c>.</summary>
    OtherTransactionControl,
}
