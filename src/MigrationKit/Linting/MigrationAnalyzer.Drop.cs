namespace MigrationKit.Linting;

/// <summary>The rules and the model of <c>DROP TABLE</c>, <c>DROP INDEX</c>, <c>DROP MATERIALIZED VIEW</c> and <c>REINDEX</c>.</summary>
internal sealed partial class MigrationAnalyzer
{

    private void Drop(LintStatement s)
    {
        int i = 1;
        if (s.Is(i, "TABLE"))
        {
            i++;
            s.SkipIfExists(ref i);
            foreach ((SqlName name, int token) in ReadNames(s, i))
            {
                TableState? table = _model.Find(name);
                if (IsExisting(table) && _migration.Phase != MigrationPhase.Post)
                {
                    Report(
                        LintRuleIds.BreakingDrop,
                        s,
                        token,
                        LockModes.AccessExclusive,
                        $"DROP TABLE {name}: the application version still running while the new one rolls out fails on every query that uses {name}.",
                        name);
                }

                _model.Drop(name);
            }
        }
        else if (s.Is(i, "INDEX"))
        {
            DropIndex(s, i + 1);
        }
        else if (s.AreKeywords(i, "MATERIALIZED", "VIEW"))
        {
            i += 2;
            s.SkipIfExists(ref i);
            foreach ((SqlName name, _) in ReadNames(s, i))
            {
                _model.Drop(name);
            }
        }
    }

    private void DropIndex(LintStatement s, int i)
    {
        bool concurrently = s.Is(i, "CONCURRENTLY");
        if (concurrently)
        {
            i++;
        }

        bool ifExists = s.SkipIfExists(ref i);
        foreach ((SqlName index, int token) in ReadNames(s, i))
        {
            SqlName? tableName = _model.FindIndexTable(index);
            _model.DropIndex(index);
            if (ifExists)
            {
                _droppedIfExists.Add(index.Key);
            }

            if (concurrently || (tableName is { } known && !IsExisting(_model.Find(known))))
            {
                continue;
            }

            string on = tableName is { } t ? $"its table {t}" : "its table";
            Report(
                LintRuleIds.BlockingIndexDrop,
                s,
                token,
                LockModes.AccessExclusive,
                $"DROP INDEX {index} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on {on}: reads and writes wait, and the DROP itself waits behind every running query on it, holding up all that queue after it.",
                tableName);
        }
    }

    private static List<(SqlName Name, int Token)> ReadNames(LintStatement s, int i)
    {
        var names = new List<(SqlName, int)>();
        while (i < s.Count)
        {
            int token = i;
            if (!s.TryReadName(ref i, out SqlName name))
            {
                break;
            }

            names.Add((name, token));
            if (!s.IsSymbol(i, ','))
            {
                break;
            }

            i++;
        }

        return names;
    }

    // REINDEX ...

    private void Reindex(LintStatement s)
    {
        if (s.Statement.NonTransactionalReason == "REINDEX CONCURRENTLY")
        {
            return;
        }

        int i = 1;
        if (s.IsOpen(i))
        {
            i = s.SkipParentheses(i);
        }

        SqlName? table = null;
        string target = s.TextOf(i).ToUpperInvariant();
        i++;
        if (target == "INDEX" && s.TryReadName(ref i, out SqlName index))
        {
            table = _model.FindIndexTable(index);
        }
        else if (target == "TABLE" && s.TryReadName(ref i, out SqlName name))
        {
            table = name;
        }

        if (table is { } known && !IsExisting(_model.Find(known)))
        {
            return;
        }

        string which = table is { } t ? $"on {t}" : "on each table it reaches";
        string how = _serverVersion >= 12
            ? "Use REINDEX … CONCURRENTLY."
            : $"PostgreSQL {_serverVersion} has no REINDEX CONCURRENTLY: create a new index CONCURRENTLY, drop the old one CONCURRENTLY and rename the new one.";
        Report(
            LintRuleIds.BlockingIndexDrop,
            s,
            0,
            LockModes.Share,
            $"REINDEX without CONCURRENTLY holds a SHARE lock {which} (writes wait) and an ACCESS EXCLUSIVE lock on each index it rebuilds, which every query planned on the table waits for: reads, writes and schema changes wait. {how}",
            table);
    }
}
