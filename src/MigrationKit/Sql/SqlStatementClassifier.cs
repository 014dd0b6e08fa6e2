using System.Text;

namespace MigrationKit.Sql;

/// <summary>
/// Classifies one statement by its leading keywords: transaction control, and the commands PostgreSQL refuses to
/// run inside a transaction block. Only unquoted keywords count; strings, quoted identifiers and comments never do.
/// </summary>
/// <remarks>
/// Most statements are decided by their first word, so classifying reads one token of them. Only <c>ALTER TABLE</c>,
/// <c>ALTER DATABASE</c> and <c>REINDEX</c> are read further.
/// </remarks>
internal static class SqlStatementClassifier
{
    /// <summary>Classifies a statement.</summary>
    /// <param name="statement">The statement text, starting at its first token.</param>
    /// <returns>The classification; <see cref="SqlStatementClassification.Other"/> for most statements.</returns>
    public static SqlStatementClassification Classify(ReadOnlySpan<char> statement)
    {
        var cursor = new SqlTokenCursor(statement);
        if (!cursor.MoveNext() || cursor.Current.Kind != SqlTokenKind.Word)
        {
            return SqlStatementClassification.Other;
        }

        ReadOnlySpan<char> first = cursor.CurrentText;
        return first.Length switch
        {
            3 when Is(first, "END") => ClassifyCommit(ref cursor, "END"),
            4 when Is(first, "DROP") => ClassifyDrop(ref cursor),
            5 when Is(first, "BEGIN") => ClassifyBegin(ref cursor),
            5 when Is(first, "START") => ClassifyStart(ref cursor),
            5 when Is(first, "ABORT") => SqlStatementClassification.Control(SqlStatementKind.Rollback, "ABORT"),
            5 when Is(first, "ALTER") => ClassifyAlter(ref cursor),
            6 when Is(first, "COMMIT") => ClassifyCommit(ref cursor, "COMMIT"),
            6 when Is(first, "CREATE") => ClassifyCreate(ref cursor),
            6 when Is(first, "VACUUM") => SqlStatementClassification.NonTransactional("VACUUM"),
            7 when Is(first, "RELEASE") => SqlStatementClassification.Control(SqlStatementKind.Savepoint, "RELEASE SAVEPOINT"),
            7 when Is(first, "PREPARE") => ClassifyPrepare(ref cursor),
            7 when Is(first, "REINDEX") => ClassifyReindex(ref cursor),
            7 when Is(first, "CLUSTER") => ClassifyCluster(ref cursor),
            7 when Is(first, "DISCARD") => cursor.MoveNextIsKeyword("ALL") ? SqlStatementClassification.NonTransactional("DISCARD ALL") : SqlStatementClassification.Other,
            8 when Is(first, "ROLLBACK") => ClassifyRollback(ref cursor),
            9 when Is(first, "SAVEPOINT") => SqlStatementClassification.Control(SqlStatementKind.Savepoint, "SAVEPOINT"),
            _ => SqlStatementClassification.Other,
        };
    }

    private static bool Is(ReadOnlySpan<char> word, string keyword) => Ascii.EqualsIgnoreCase(word, keyword);

    // BEGIN [WORK | TRANSACTION] [transaction_mode [, ...]]
    private static SqlStatementClassification ClassifyBegin(ref SqlTokenCursor cursor)
    {
        bool plain = !cursor.MoveNext()
            || ((cursor.IsKeyword("WORK") || cursor.IsKeyword("TRANSACTION")) && !cursor.MoveNext());
        return SqlStatementClassification.Control(SqlStatementKind.Begin, plain ? "BEGIN" : "BEGIN with transaction modes", plain);
    }

    // START TRANSACTION [transaction_mode [, ...]]
    private static SqlStatementClassification ClassifyStart(ref SqlTokenCursor cursor)
    {
        if (!cursor.MoveNextIsKeyword("TRANSACTION"))
        {
            return SqlStatementClassification.Other;
        }

        bool plain = !cursor.MoveNext();
        return SqlStatementClassification.Control(SqlStatementKind.Begin, plain ? "START TRANSACTION" : "START TRANSACTION with transaction modes", plain);
    }

    // COMMIT | END [WORK | TRANSACTION] [AND [NO] CHAIN], COMMIT PREPARED 'id'
    private static SqlStatementClassification ClassifyCommit(ref SqlTokenCursor cursor, string keyword)
    {
        if (!cursor.MoveNext())
        {
            return SqlStatementClassification.Control(SqlStatementKind.Commit, keyword, isPlain: true);
        }

        if (keyword == "COMMIT" && cursor.IsKeyword("PREPARED"))
        {
            return SqlStatementClassification.Control(SqlStatementKind.OtherTransactionControl, "COMMIT PREPARED");
        }

        if ((cursor.IsKeyword("WORK") || cursor.IsKeyword("TRANSACTION")) && !cursor.MoveNext())
        {
            return SqlStatementClassification.Control(SqlStatementKind.Commit, keyword, isPlain: true);
        }

        // AND NO CHAIN is what a plain COMMIT does; AND CHAIN starts a new transaction at once.
        bool plain = cursor.IsKeyword("AND") && cursor.MoveNextIsKeyword("NO") && cursor.MoveNextIsKeyword("CHAIN") && !cursor.MoveNext();
        return SqlStatementClassification.Control(SqlStatementKind.Commit, plain ? keyword : keyword + " AND CHAIN", plain);
    }

    // ROLLBACK [WORK | TRANSACTION] [AND [NO] CHAIN], ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name, ROLLBACK PREPARED 'id'
    private static SqlStatementClassification ClassifyRollback(ref SqlTokenCursor cursor)
    {
        if (cursor.MoveNext())
        {
            if (cursor.IsKeyword("PREPARED"))
            {
                return SqlStatementClassification.Control(SqlStatementKind.OtherTransactionControl, "ROLLBACK PREPARED");
            }

            if ((cursor.IsKeyword("WORK") || cursor.IsKeyword("TRANSACTION")) && !cursor.MoveNext())
            {
                return SqlStatementClassification.Control(SqlStatementKind.Rollback, "ROLLBACK");
            }

            if (cursor.IsKeyword("TO"))
            {
                return SqlStatementClassification.Control(SqlStatementKind.Savepoint, "ROLLBACK TO SAVEPOINT");
            }
        }

        return SqlStatementClassification.Control(SqlStatementKind.Rollback, "ROLLBACK");
    }

    // PREPARE TRANSACTION 'id' is transaction control; PREPARE name [(types)] AS statement is not, even when the
    // prepared statement is named "transaction".
    private static SqlStatementClassification ClassifyPrepare(ref SqlTokenCursor cursor)
    {
        if (!cursor.MoveNextIsKeyword("TRANSACTION"))
        {
            return SqlStatementClassification.Other;
        }

        if (cursor.MoveNext() && (cursor.IsKeyword("AS") || cursor.Current.Kind == SqlTokenKind.OpenParenthesis))
        {
            return SqlStatementClassification.Other;
        }

        return SqlStatementClassification.Control(SqlStatementKind.OtherTransactionControl, "PREPARE TRANSACTION");
    }

    // CREATE [UNIQUE] INDEX CONCURRENTLY, CREATE DATABASE, CREATE TABLESPACE, CREATE SUBSCRIPTION
    private static SqlStatementClassification ClassifyCreate(ref SqlTokenCursor cursor)
    {
        if (!cursor.MoveNext())
        {
            return SqlStatementClassification.Other;
        }

        if (cursor.IsKeyword("UNIQUE"))
        {
            return cursor.MoveNextIsKeyword("INDEX") && cursor.MoveNextIsKeyword("CONCURRENTLY")
                ? SqlStatementClassification.NonTransactional("CREATE UNIQUE INDEX CONCURRENTLY")
                : SqlStatementClassification.Other;
        }

        // "CREATE INDEX concurrently_idx ON t (x)" names an index; an unquoted CONCURRENTLY right after INDEX is
        // always the keyword (it is reserved), and "CREATE INDEX "concurrently" ON t" is a quoted name.
        if (cursor.IsKeyword("INDEX"))
        {
            return cursor.MoveNextIsKeyword("CONCURRENTLY")
                ? SqlStatementClassification.NonTransactional("CREATE INDEX CONCURRENTLY")
                : SqlStatementClassification.Other;
        }

        return ClassifyDatabaseObject(ref cursor, "CREATE");
    }

    // DROP INDEX CONCURRENTLY, DROP DATABASE, DROP TABLESPACE, DROP SUBSCRIPTION
    private static SqlStatementClassification ClassifyDrop(ref SqlTokenCursor cursor)
    {
        if (!cursor.MoveNext())
        {
            return SqlStatementClassification.Other;
        }

        if (cursor.IsKeyword("INDEX"))
        {
            return cursor.MoveNextIsKeyword("CONCURRENTLY")
                ? SqlStatementClassification.NonTransactional("DROP INDEX CONCURRENTLY")
                : SqlStatementClassification.Other;
        }

        return ClassifyDatabaseObject(ref cursor, "DROP");
    }

    private static SqlStatementClassification ClassifyDatabaseObject(ref SqlTokenCursor cursor, string verb)
    {
        if (cursor.IsKeyword("DATABASE"))
        {
            return SqlStatementClassification.NonTransactional(verb == "CREATE" ? "CREATE DATABASE" : "DROP DATABASE");
        }

        if (cursor.IsKeyword("TABLESPACE"))
        {
            return SqlStatementClassification.NonTransactional(verb == "CREATE" ? "CREATE TABLESPACE" : "DROP TABLESPACE");
        }

        if (cursor.IsKeyword("SUBSCRIPTION"))
        {
            // Strictly only with a replication slot (CREATE: create_slot, the default; DROP: when the subscription
            // has one), which cannot be told from the text; running outside a transaction is the safe guess.
            return SqlStatementClassification.NonTransactional(verb == "CREATE" ? "CREATE SUBSCRIPTION" : "DROP SUBSCRIPTION");
        }

        return SqlStatementClassification.Other;
    }

    // ALTER SYSTEM, ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, ALTER DATABASE ... SET TABLESPACE
    private static SqlStatementClassification ClassifyAlter(ref SqlTokenCursor cursor)
    {
        if (!cursor.MoveNext())
        {
            return SqlStatementClassification.Other;
        }

        if (cursor.IsKeyword("SYSTEM"))
        {
            return SqlStatementClassification.NonTransactional("ALTER SYSTEM");
        }

        if (cursor.IsKeyword("TABLE"))
        {
            bool afterDetach = false;
            bool detaching = false;
            while (cursor.MoveNext())
            {
                if (cursor.Level != 0)
                {
                    afterDetach = false;
                    continue;
                }

                if (detaching)
                {
                    if (cursor.IsKeyword("CONCURRENTLY"))
                    {
                        return SqlStatementClassification.NonTransactional("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY");
                    }
                }
                else if (afterDetach && cursor.IsKeyword("PARTITION"))
                {
                    detaching = true;
                }

                afterDetach = cursor.IsKeyword("DETACH");
            }

            return SqlStatementClassification.Other;
        }

        if (cursor.IsKeyword("DATABASE"))
        {
            bool afterSet = false;
            while (cursor.MoveNext())
            {
                if (cursor.Level == 0 && afterSet && cursor.IsKeyword("TABLESPACE"))
                {
                    return SqlStatementClassification.NonTransactional("ALTER DATABASE ... SET TABLESPACE");
                }

                afterSet = cursor.Level == 0 && cursor.IsKeyword("SET");
            }
        }

        return SqlStatementClassification.Other;
    }

    // REINDEX [(option [, ...])] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] [name]
    // CONCURRENTLY may also be an option in the parentheses, possibly with a boolean value.
    private static SqlStatementClassification ClassifyReindex(ref SqlTokenCursor cursor)
    {
        bool concurrently = false;
        bool sawTarget = false;
        string? target = null;
        bool more = cursor.MoveNext();
        while (more)
        {
            if (cursor.IsKeyword("CONCURRENTLY"))
            {
                bool isOption = cursor.Level > 0;
                more = cursor.MoveNext();
                if (!(isOption && more && IsFalse(ref cursor)))
                {
                    concurrently = true;
                }

                // The token after CONCURRENTLY has not been looked at yet.
                continue;
            }

            if (!sawTarget && cursor.Level == 0 && cursor.Current.Kind == SqlTokenKind.Word)
            {
                sawTarget = true;
                target = cursor.IsKeyword("DATABASE") ? "REINDEX DATABASE"
                    : cursor.IsKeyword("SYSTEM") ? "REINDEX SYSTEM"
                    : cursor.IsKeyword("SCHEMA") ? "REINDEX SCHEMA"
                    : null;
            }

            more = cursor.MoveNext();
        }

        return concurrently ? SqlStatementClassification.NonTransactional("REINDEX CONCURRENTLY")
            : target is not null ? SqlStatementClassification.NonTransactional(target)
            : SqlStatementClassification.Other;
    }

    // A boolean option value PostgreSQL reads as false: FALSE, OFF, 0, 'false', 'off'.
    private static bool IsFalse(ref SqlTokenCursor cursor)
    {
        if (cursor.IsKeyword("FALSE") || cursor.IsKeyword("OFF"))
        {
            return true;
        }

        ReadOnlySpan<char> text = cursor.CurrentText;
        return cursor.Current.Kind switch
        {
            SqlTokenKind.Number => text is "0",
            SqlTokenKind.StandardString => Is(text, "'false'") || Is(text, "'off'") || text is "'0'",
            _ => false,
        };
    }

    // CLUSTER [VERBOSE] and CLUSTER (options) without a table cluster every table and cannot run in a transaction.
    private static SqlStatementClassification ClassifyCluster(ref SqlTokenCursor cursor)
    {
        bool more = cursor.MoveNext();
        if (more && cursor.Current.Kind == SqlTokenKind.OpenParenthesis)
        {
            while ((more = cursor.MoveNext()) && !(cursor.Current.Kind == SqlTokenKind.CloseParenthesis && cursor.Level == 0))
            {
            }

            more = more && cursor.MoveNext();
        }

        if (more && cursor.IsKeyword("VERBOSE"))
        {
            more = cursor.MoveNext();
        }

        return more ? SqlStatementClassification.Other : SqlStatementClassification.NonTransactional("CLUSTER without a table");
    }
}
