namespace MigrationKit.Linting;

/// <summary>The rules and the model of <c>CREATE TABLE</c>, <c>CREATE INDEX</c>, <c>CREATE MATERIALIZED VIEW</c> and <c>CREATE FUNCTION</c>.</summary>
internal sealed partial class MigrationAnalyzer
{

    private void Create(LintStatement s)
    {
        int i = 1;
        if (s.AreKeywords(i, "OR", "REPLACE"))
        {
            i += 2;
        }

        if (s.IsAny(i, "GLOBAL", "LOCAL"))
        {
            i++;
        }

        if (s.IsAny(i, "TEMP", "TEMPORARY") || s.Is(i, "UNLOGGED"))
        {
            i++;
        }

        if (s.Is(i, "TABLE"))
        {
            CreateTable(s, i + 1);
        }
        else if (s.AreKeywords(i, "UNIQUE", "INDEX"))
        {
            CreateIndex(s, i + 2);
        }
        else if (s.Is(i, "INDEX"))
        {
            CreateIndex(s, i + 1);
        }
        else if (s.AreKeywords(i, "MATERIALIZED", "VIEW"))
        {
            i += 2;
            bool ifNotExists = s.SkipIfNotExists(ref i);
            if (s.TryReadName(ref i, out SqlName name) && !(ifNotExists && _model.Find(name) is not null))
            {
                _model.Create(name, Version, _linted);
            }
        }
        else if (s.Is(i, "FUNCTION"))
        {
            DefineFunction(s, i + 1);
        }
    }

    private void CreateTable(LintStatement s, int i)
    {
        bool ifNotExists = s.SkipIfNotExists(ref i);
        if (!s.TryReadName(ref i, out SqlName name) || (ifNotExists && _model.Find(name) is not null))
        {
            return;
        }

        TableState table = _model.Create(name, Version, _linted);
        if (!s.IsOpen(i))
        {
            return;
        }

        int after = s.SkipParentheses(i);
        int level = s.Level(i) + 1;
        foreach ((int start, int end) in s.SplitAtCommas(i + 1, after - 1, level))
        {
            int k = start;
            if (s.Is(k, "CONSTRAINT"))
            {
                k++;
                string? constraint = s.ReadIdentifier(ref k);
                TableConstraint(s, table, constraint, k, end);
            }
            else if (s.IsAny(k, "PRIMARY", "UNIQUE") || s.IsAny(k, "CHECK", "FOREIGN") || s.IsAny(k, "EXCLUDE", "LIKE"))
            {
                TableConstraint(s, table, null, k, end);
            }
            else if (s.ReadIdentifier(ref k) is { } column)
            {
                table.Columns[column] = ColumnType.Read(s, k, FindColumnConstraint(s, k, end, level));
            }
        }

        table.IsPartitioned = s.Contains(after, s.Count, 0, "PARTITION", "BY");
    }

    /// <summary>A table constraint of CREATE TABLE: only a <c>CHECK (col IS NOT NULL)</c> matters later.</summary>
    private void TableConstraint(LintStatement s, TableState table, string? name, int k, int end)
    {
        if (s.Is(k, "CHECK") && IsNotNullCheck(s, k + 1, end) is { } column)
        {
            table.Constraints[name ?? UnnamedKey()] = new ConstraintState { IsForeignKey = false, NotNullColumn = column, IsValidated = !s.Contains(k, end, s.Level(k), "NOT", "VALID") };
        }
    }

    private void CreateIndex(LintStatement s, int i)
    {
        bool concurrently = s.Is(i, "CONCURRENTLY");
        if (concurrently)
        {
            i++;
        }

        s.SkipIfNotExists(ref i);
        SqlName? index = null;
        if (!s.Is(i, "ON"))
        {
            if (!s.TryReadName(ref i, out SqlName name))
            {
                return;
            }

            index = name;
        }

        if (!s.Is(i, "ON"))
        {
            return;
        }

        i++;
        if (s.Is(i, "ONLY"))
        {
            i++;
        }

        if (!s.TryReadName(ref i, out SqlName tableName))
        {
            return;
        }

        if (index is { } indexName)
        {
            _model.AddIndex(indexName.InSchemaOf(tableName), tableName);
        }

        TableState? table = _model.Find(tableName);
        if (concurrently || !IsExisting(table))
        {
            return;
        }

        string what = index is { } n ? $"CREATE INDEX {n}" : "CREATE INDEX";
        string partitioned = table is { IsPartitioned: true }
            ? $" {tableName} is partitioned, where CONCURRENTLY is not possible: create the index CONCURRENTLY on each partition, then CREATE INDEX ON ONLY {tableName} and ALTER INDEX … ATTACH PARTITION each one."
            : string.Empty;
        Report(
            LintRuleIds.BlockingIndexBuild,
            s,
            0,
            LockModes.Share,
            $"{what} on {tableName} without CONCURRENTLY holds a SHARE lock on {tableName} for the whole build: inserts, updates and deletes wait until the index is built.{partitioned}",
            tableName);
    }

    private void DefineFunction(LintStatement s, int i)
    {
        if (!s.TryReadName(ref i, out SqlName name))
        {
            return;
        }

        bool notVolatile = s.Find(i, s.Count, 0, "IMMUTABLE") >= 0 || s.Find(i, s.Count, 0, "STABLE") >= 0;
        _model.DefineFunction(name.Name, !notVolatile);
    }
}
