namespace MigrationKit.Linting;

/// <summary><c>UPDATE</c> and <c>DELETE</c> without <c>WHERE</c>, and the retry-safety of <c>CREATE</c> and <c>DROP</c> outside a transaction.</summary>
internal sealed partial class MigrationAnalyzer
{

    private void DataChange(LintStatement s)
    {
        int i = 0;
        if (s.Is(0, "WITH"))
        {
            i = 1;
            while (i < s.Count && !(s.Level(i) == 0 && (s.IsAny(i, "UPDATE", "DELETE") || s.IsAny(i, "INSERT", "SELECT") || s.IsAny(i, "MERGE", "VALUES"))))
            {
                i++;
            }
        }

        int verb = i;
        bool update = s.Is(i, "UPDATE");
        if (update)
        {
            i++;
        }
        else if (s.AreKeywords(i, "DELETE", "FROM"))
        {
            i += 2;
        }
        else
        {
            return;
        }

        if (s.Is(i, "ONLY"))
        {
            i++;
        }

        if (!_transactional || !s.TryReadName(ref i, out SqlName name) || s.Find(i, s.Count, 0, "WHERE") >= 0)
        {
            return;
        }

        if (!IsExisting(_model.Find(name)))
        {
            return;
        }

        string what = update ? "UPDATE" : "DELETE";
        Report(
            LintRuleIds.UnboundedDataChange,
            s,
            verb,
            LockModes.RowExclusive,
            $"{what} without WHERE changes every row of {name} in the migration's transaction: each row stays locked until it commits, so writes to any of them wait, and every row leaves a dead copy behind.",
            name);
    }

    // Outside a transaction: CREATE and DROP must survive a retry.

    private void CheckIdempotence(LintStatement s)
    {
        bool create = s.Is(0, "CREATE");
        if (!create && !s.Is(0, "DROP"))
        {
            return;
        }

        int header = Math.Min(s.Count, 12);
        if (create && s.AreKeywords(1, "OR", "REPLACE"))
        {
            return;
        }

        for (int i = 1; i < header; i++)
        {
            if (s.Level(i) == 0 && (create ? s.AreKeywords(i, "IF", "NOT", "EXISTS") : s.AreKeywords(i, "IF", "EXISTS")))
            {
                return;
            }
        }

        int kind = 1;
        while (kind < header && (s.IsAny(kind, "GLOBAL", "LOCAL") || s.IsAny(kind, "TEMP", "TEMPORARY") || s.IsAny(kind, "UNLOGGED", "UNIQUE")
            || s.IsAny(kind, "MATERIALIZED", "RECURSIVE") || s.IsAny(kind, "TRUSTED", "PROCEDURAL") || s.Is(kind, "CONSTRAINT")))
        {
            kind++;
        }

        bool index = s.Is(kind, "INDEX");
        bool concurrently = index && s.Is(kind + 1, "CONCURRENTLY");
        if (create && concurrently)
        {
            // DROP INDEX CONCURRENTLY IF EXISTS earlier in the script makes a plain CREATE INDEX CONCURRENTLY safe to retry.
            int at = kind + 2;
            if (s.TryReadName(ref at, out SqlName name) && s.Is(at, "ON"))
            {
                at++;
                if (s.Is(at, "ONLY"))
                {
                    at++;
                }

                if (s.TryReadName(ref at, out SqlName table) && _droppedIfExists.Contains(name.InSchemaOf(table).Key))
                {
                    return;
                }

                if (_droppedIfExists.Contains(name.Key))
                {
                    return;
                }
            }
        }

        string command = $"{(create ? "CREATE" : "DROP")} {s.TextOf(kind).ToUpperInvariant()}{(concurrently ? " CONCURRENTLY" : string.Empty)}";
        string guard = create ? "IF NOT EXISTS" : "IF EXISTS";
        Report(
            LintRuleIds.NonIdempotentOutsideTransaction,
            s,
            0,
            concurrently ? LockModes.ShareUpdateExclusive : null,
            $"{command} without {guard} in a migration that runs outside a transaction ({_script.OutsideTransactionReason}): if a later statement fails, running the migration again fails here.",
            null);
    }
}
