using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// Reads the up script of one migration statement by statement: keeps the <see cref="SchemaModel"/> up to date and
/// reports what the rules find, before suppressions and severities. Never throws: what it cannot read it skips.
/// </summary>
internal sealed class MigrationAnalyzer
{
    private static readonly HashSet<string> VolatileFunctions = new(StringComparer.Ordinal)
    {
        "random", "random_normal", "gen_random_uuid", "gen_random_bytes", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
        "uuidv4", "uuidv7", "clock_timestamp", "timeofday", "nextval", "setval", "txid_current", "pg_current_xact_id", "setseed",
    };

    private static readonly string[] ColumnConstraintWords =
    [
        "CONSTRAINT", "NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "GENERATED", "COLLATE",
        "COMPRESSION", "STORAGE", "DEFERRABLE", "INITIALLY",
    ];

    private readonly SchemaModel _model;
    private readonly Migration _migration;
    private readonly SqlScript _script;
    private readonly int _serverVersion;
    private readonly bool _runView;
    private readonly bool _linted;
    private readonly bool _transactional;
    private readonly List<RawFinding> _findings;
    private readonly HashSet<string> _droppedIfExists = new(StringComparer.Ordinal);
    private int _segment;
    private bool _inBlock;
    private int _unnamed;

    public MigrationAnalyzer(SchemaModel model, Migration migration, int serverVersion, bool runView, bool linted, List<RawFinding> findings)
    {
        _model = model;
        _migration = migration;
        _script = migration.Up.Parsed;
        _serverVersion = serverVersion;
        _runView = runView;
        _linted = linted;
        _transactional = !_script.RunsOutsideTransaction;
        _findings = findings;
    }

    private long Version => _migration.Version;

    public void Analyze(LintStatement statement)
    {
        TrackSegment(statement.Statement);
        if (statement.Count == 0 || !statement.IsWord(0))
        {
            return;
        }

        if (!_transactional)
        {
            CheckIdempotence(statement);
        }

        if (statement.Is(0, "CREATE"))
        {
            Create(statement);
        }
        else if (statement.Is(0, "DROP"))
        {
            Drop(statement);
        }
        else if (statement.Is(0, "ALTER"))
        {
            Alter(statement);
        }
        else if (statement.Is(0, "REINDEX"))
        {
            Reindex(statement);
        }
        else if (statement.Is(0, "UPDATE") || statement.Is(0, "DELETE") || statement.Is(0, "WITH"))
        {
            DataChange(statement);
        }
    }

    /// <summary>
    /// Numbers the transactions of the script: one for a script that runs in a transaction; outside one, a new
    /// one per statement, except inside an explicit <c>BEGIN</c> … <c>COMMIT</c>.
    /// </summary>
    private void TrackSegment(SqlStatement statement)
    {
        if (_transactional)
        {
            return;
        }

        switch (statement.Kind)
        {
            case SqlStatementKind.Begin:
                _inBlock = true;
                _segment++;
                break;
            case SqlStatementKind.Commit or SqlStatementKind.Rollback:
                _inBlock = false;
                _segment++;
                break;
            default:
                if (!_inBlock)
                {
                    _segment++;
                }

                break;
        }
    }

    private bool IsExisting(TableState? table) => table is null || !table.IsNewFor(Version, _runView);

    private TableState Touch(SqlName name) => _model.Find(name) ?? _model.Create(name, long.MinValue, inRun: false);

    private void Report(string rule, LintStatement statement, int token, string? lockMode, string message, SqlName? table) =>
        _findings.Add(new RawFinding(
            rule,
            statement.Index,
            statement.OffsetOf(Math.Clamp(token, 0, Math.Max(statement.Count - 1, 0))),
            lockMode,
            lockMode is null ? BlockedOperations.None : LockModes.Blocks(lockMode),
            message,
            table));

    // CREATE ...

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

    // DROP ...

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

    // ALTER ...

    private void Alter(LintStatement s)
    {
        if (s.Is(1, "TABLE"))
        {
            AlterTable(s, 2);
        }
        else if (s.Is(1, "INDEX"))
        {
            int i = 2;
            s.SkipIfExists(ref i);
            if (s.TryReadName(ref i, out SqlName index) && s.AreKeywords(i, "RENAME", "TO"))
            {
                i += 2;
                if (s.TryReadName(ref i, out SqlName newName))
                {
                    _model.RenameIndex(index, newName);
                }
            }
        }
    }

    private void AlterTable(LintStatement s, int i)
    {
        if (s.Is(i, "ALL"))
        {
            return;
        }

        s.SkipIfExists(ref i);
        if (s.Is(i, "ONLY"))
        {
            i++;
        }

        if (!s.TryReadName(ref i, out SqlName name))
        {
            return;
        }

        if (s.IsSymbol(i, '*'))
        {
            i++;
        }

        TableState? known = _model.Find(name);
        bool existing = IsExisting(known);
        TableState table = known ?? Touch(name);
        if (s.Is(i, "RENAME"))
        {
            Rename(s, i, table, existing);
            return;
        }

        if (s.AreKeywords(i, "SET", "SCHEMA"))
        {
            int k = i + 2;
            if (s.ReadIdentifier(ref k) is { } schema)
            {
                _model.Rename(table, new SqlName(schema, table.Name.Name));
            }

            return;
        }

        foreach ((int start, int end) in s.SplitAtCommas(i, s.Count, 0))
        {
            Action(s, start, end, table, existing);
        }
    }

    private void Action(LintStatement s, int a, int end, TableState table, bool existing)
    {
        if (s.Is(a, "ADD"))
        {
            int k = a + 1;
            if (s.Is(k, "COLUMN"))
            {
                AddColumn(s, a, k + 1, end, table, existing);
            }
            else if (s.IsAny(k, "CONSTRAINT", "CHECK") || s.IsAny(k, "UNIQUE", "PRIMARY") || s.IsAny(k, "FOREIGN", "EXCLUDE"))
            {
                AddConstraint(s, a, k, end, table, existing);
            }
            else
            {
                AddColumn(s, a, k, end, table, existing);
            }
        }
        else if (s.Is(a, "DROP"))
        {
            int k = a + 1;
            if (s.Is(k, "CONSTRAINT"))
            {
                k++;
                s.SkipIfExists(ref k);
                if (s.ReadIdentifier(ref k) is { } constraint)
                {
                    table.Constraints.Remove(constraint);
                }

                return;
            }

            if (s.Is(k, "COLUMN"))
            {
                k++;
            }

            s.SkipIfExists(ref k);
            if (s.ReadIdentifier(ref k) is not { } column)
            {
                return;
            }

            table.Columns.Remove(column);
            if (existing && _migration.Phase != MigrationPhase.Post)
            {
                Report(
                    LintRuleIds.BreakingDrop,
                    s,
                    a,
                    LockModes.AccessExclusive,
                    $"DROP COLUMN {column} of {table.Name}: the application version still running while the new one rolls out fails on every query that names {column} (and an ORM that lists the columns it maps, on every query of {table.Name}).",
                    table.Name);
            }
        }
        else if (s.Is(a, "ALTER") && !s.Is(a + 1, "CONSTRAINT"))
        {
            int k = s.Is(a + 1, "COLUMN") ? a + 2 : a + 1;
            if (s.ReadIdentifier(ref k) is not { } column)
            {
                return;
            }

            if (s.Is(k, "TYPE"))
            {
                ChangeType(s, a, k + 1, end, column, table, existing);
            }
            else if (s.AreKeywords(k, "SET", "DATA", "TYPE"))
            {
                ChangeType(s, a, k + 3, end, column, table, existing);
            }
            else if (s.AreKeywords(k, "SET", "NOT", "NULL"))
            {
                SetNotNull(s, a, column, table, existing);
            }
        }
        else if (s.AreKeywords(a, "VALIDATE", "CONSTRAINT"))
        {
            int k = a + 2;
            if (s.ReadIdentifier(ref k) is { } name && table.Constraints.TryGetValue(name, out ConstraintState? constraint))
            {
                if (constraint.AddedNotValid is { } added && added.Version == Version && added.Segment == _segment)
                {
                    string mode = constraint.IsForeignKey ? LockModes.ShareRowExclusive : LockModes.AccessExclusive;
                    Report(
                        LintRuleIds.ValidateInSameTransaction,
                        s,
                        a,
                        mode,
                        $"VALIDATE CONSTRAINT {name} runs in the transaction that added it NOT VALID on line {added.Line}, whose {mode} lock on {table.Name} is held until commit: the validating scan runs under it, and {LockModes.Describe(LockModes.Blocks(mode))}.",
                        table.Name);
                }

                constraint.IsValidated = true;
            }
        }
    }

    private void AddColumn(LintStatement s, int a, int k, int end, TableState table, bool existing)
    {
        s.SkipIfNotExists(ref k);
        if (s.ReadIdentifier(ref k) is not { } column)
        {
            return;
        }

        int level = s.Level(a);
        int typeEnd = FindColumnConstraint(s, k, end, level);
        ColumnType? type = ColumnType.Read(s, k, typeEnd);
        table.Columns[column] = type;

        bool notNull = false, primaryKey = false, unique = false, check = false, references = false, identity = false, stored = false;
        (int Start, int End)? defaultExpression = null;
        for (int j = typeEnd; j < end; j++)
        {
            if (s.Level(j) != level)
            {
                continue;
            }

            if (s.AreKeywords(j, "NOT", "NULL"))
            {
                notNull = true;
            }
            else if (s.Is(j, "DEFAULT") && !s.Is(j - 1, "SET") && !s.Is(j - 1, "BY"))
            {
                // The expression's first token may itself be a keyword of the list (DEFAULT NULL).
                int stop = FindColumnConstraint(s, Math.Min(j + 2, end), end, level);
                defaultExpression = (j + 1, stop);
                j = stop - 1;
            }
            else if (s.AreKeywords(j, "PRIMARY", "KEY"))
            {
                primaryKey = true;
            }
            else if (s.Is(j, "UNIQUE"))
            {
                unique = true;
            }
            else if (s.Is(j, "CHECK"))
            {
                check = true;
            }
            else if (s.Is(j, "REFERENCES"))
            {
                references = true;
            }
            else if (s.Is(j, "GENERATED"))
            {
                // GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)] or GENERATED ALWAYS AS (expr) [STORED | VIRTUAL].
                int g = s.Is(j + 1, "ALWAYS") ? j + 2 : s.AreKeywords(j + 1, "BY", "DEFAULT") ? j + 3 : j + 1;
                if (s.AreKeywords(g, "AS", "IDENTITY"))
                {
                    identity = true;
                    j = g + 1;
                }
                else if (s.Is(g, "AS") && s.IsOpen(g + 1))
                {
                    int after = s.SkipParentheses(g + 1);
                    stored |= s.Is(after, "STORED");
                    j = after - 1;
                }
            }
        }

        if (!existing)
        {
            return;
        }

        string? rewrite = identity ? "an identity column gets a value from its sequence in every existing row"
            : type is { IsSerial: true } ? $"a {type.Base} column gets a value from its sequence in every existing row"
            : stored ? "a STORED generated column is computed for every existing row"
            : defaultExpression is { } d ? DefaultRewrite(s, d.Start, d.End)
            : null;
        if (rewrite is not null)
        {
            Report(
                LintRuleIds.VolatileDefaultRewrite,
                s,
                a,
                LockModes.AccessExclusive,
                $"ADD COLUMN {column} rewrites {table.Name} under an ACCESS EXCLUSIVE lock: {rewrite}. Reads, writes and schema changes wait for the whole rewrite.",
                table.Name);
        }

        if ((notNull || primaryKey) && defaultExpression is null && !identity && !stored && type is not { IsSerial: true })
        {
            Report(
                LintRuleIds.RequiredColumnWithoutDefault,
                s,
                a,
                LockModes.AccessExclusive,
                $"ADD COLUMN {column} NOT NULL without a default fails as soon as {table.Name} has a row, and the application version still running, which does not set {column}, would fail on every INSERT.",
                table.Name);
        }

        if (unique || primaryKey)
        {
            Report(
                LintRuleIds.UniqueConstraintBuildsIndex,
                s,
                a,
                LockModes.AccessExclusive,
                $"ADD COLUMN {column} {(primaryKey ? "PRIMARY KEY" : "UNIQUE")} builds its index on {table.Name} under an ACCESS EXCLUSIVE lock: reads, writes and schema changes wait for the whole build.",
                table.Name);
        }

        if (check || references)
        {
            Report(
                LintRuleIds.ConstraintValidatesUnderLock,
                s,
                a,
                LockModes.AccessExclusive,
                $"ADD COLUMN {column} with {(references ? "REFERENCES" : "CHECK")} checks every row of {table.Name} under the ACCESS EXCLUSIVE lock of ADD COLUMN: reads, writes and schema changes wait for the scan. Add the column first, then the constraint NOT VALID.",
                table.Name);
        }
    }

    /// <summary>Why a default rewrites the table on this server version, or null when it does not.</summary>
    private string? DefaultRewrite(LintStatement s, int start, int end)
    {
        if (_serverVersion < 11)
        {
            bool isNull = end - start == 1 && s.Is(start, "NULL");
            return isNull ? null : $"before PostgreSQL 11 (the rules follow {_serverVersion}), any default other than NULL is written into every existing row";
        }

        for (int i = start; i < end; i++)
        {
            if (s.IsWord(i) && s.IsOpen(i + 1))
            {
                string function = s.TextOf(i).ToLowerInvariant();
                if (VolatileFunctions.Contains(function) || _model.IsVolatileFunction(function))
                {
                    return $"the volatile default {function}() gives every existing row its own value";
                }
            }
        }

        return null;
    }

    private void AddConstraint(LintStatement s, int a, int k, int end, TableState table, bool existing)
    {
        string? name = null;
        if (s.Is(k, "CONSTRAINT"))
        {
            k++;
            name = s.ReadIdentifier(ref k);
        }

        int level = s.Level(a);
        bool notValid = s.Contains(k, end, level, "NOT", "VALID");
        int line = s.Statement.Script.GetPosition(s.OffsetOf(a)).Line;
        string label = name is null ? string.Empty : " " + name;
        if (s.Is(k, "CHECK"))
        {
            var state = new ConstraintState
            {
                IsForeignKey = false,
                NotNullColumn = IsNotNullCheck(s, k + 1, end),
                IsValidated = !notValid,
                AddedNotValid = notValid ? (Version, _segment, line) : null,
            };
            if (name is not null || state.NotNullColumn is not null)
            {
                table.Constraints[name ?? UnnamedKey()] = state;
            }

            if (!notValid && existing)
            {
                Report(
                    LintRuleIds.ConstraintValidatesUnderLock,
                    s,
                    a,
                    LockModes.AccessExclusive,
                    $"ADD CONSTRAINT{label} CHECK without NOT VALID checks every row of {table.Name} under an ACCESS EXCLUSIVE lock: reads, writes and schema changes wait for the whole scan.",
                    table.Name);
            }
        }
        else if (s.AreKeywords(k, "FOREIGN", "KEY"))
        {
            if (name is not null)
            {
                table.Constraints[name] = new ConstraintState
                {
                    IsForeignKey = true,
                    IsValidated = !notValid,
                    AddedNotValid = notValid ? (Version, _segment, line) : null,
                };
            }

            if (!notValid && existing)
            {
                int r = s.Find(k, end, level, "REFERENCES") + 1;
                string referenced = r > 0 && s.TryReadName(ref r, out SqlName target) ? target.ToString() : "the referenced table";
                Report(
                    LintRuleIds.ConstraintValidatesUnderLock,
                    s,
                    a,
                    LockModes.ShareRowExclusive,
                    $"ADD CONSTRAINT{label} FOREIGN KEY without NOT VALID checks every row of {table.Name} while holding SHARE ROW EXCLUSIVE locks on {table.Name} and {referenced}: writes to both and schema changes wait for the whole scan (reads go on).",
                    table.Name);
            }
        }
        else if (s.Is(k, "UNIQUE") || s.AreKeywords(k, "PRIMARY", "KEY"))
        {
            int after = s.Is(k, "UNIQUE") ? k + 1 : k + 2;
            if (s.AreKeywords(after, "USING", "INDEX") && !s.Is(after + 2, "TABLESPACE"))
            {
                int i = after + 2;
                if (s.TryReadName(ref i, out SqlName index))
                {
                    _model.DropIndex(index.InSchemaOf(table.Name));
                }

                return;
            }

            if (existing)
            {
                string kind = s.Is(k, "UNIQUE") ? "UNIQUE" : "PRIMARY KEY";
                Report(
                    LintRuleIds.UniqueConstraintBuildsIndex,
                    s,
                    a,
                    LockModes.AccessExclusive,
                    $"ADD CONSTRAINT{label} {kind} builds its index on {table.Name} under an ACCESS EXCLUSIVE lock: reads, writes and schema changes wait for the whole build.",
                    table.Name);
            }
        }
    }

    private void ChangeType(LintStatement s, int a, int k, int end, string column, TableState table, bool existing)
    {
        int level = s.Level(a);
        int usingAt = s.Find(k, end, level, "USING");
        int collateAt = s.Find(k, end, level, "COLLATE");
        int typeEnd = Math.Min(usingAt < 0 ? end : usingAt, collateAt < 0 ? end : collateAt);
        ColumnType? newType = ColumnType.Read(s, k, typeEnd);
        table.Columns.TryGetValue(column, out ColumnType? oldType);
        table.Columns[column] = newType;
        if (!existing || newType is null)
        {
            return;
        }

        if (usingAt < 0 && oldType is not null && ColumnType.ChangesWithoutRewrite(oldType, newType))
        {
            return;
        }

        string from = oldType is null ? string.Empty
            : usingAt >= 0 ? $" (from {oldType.Written}, with USING)"
            : $" (from {oldType.Written})";
        string unknown = oldType is null
            ? " Its type before this migration is not known from the folder (changes that need no rewrite, such as varchar(n) to text, are not reported when it is)."
            : string.Empty;
        Report(
            LintRuleIds.ColumnTypeRewrite,
            s,
            a,
            LockModes.AccessExclusive,
            $"ALTER COLUMN {column} TYPE {newType.Written}{from} rewrites {table.Name} and rebuilds its indexes under an ACCESS EXCLUSIVE lock: reads, writes and schema changes wait until it is done.{unknown}",
            table.Name);
    }

    private void SetNotNull(LintStatement s, int a, string column, TableState table, bool existing)
    {
        if (!existing)
        {
            return;
        }

        bool trusted = _serverVersion >= 12 && table.Constraints.Values.Any(c => c.NotNullColumn == column && c.IsValidated);
        if (trusted)
        {
            return;
        }

        string why = _serverVersion >= 12
            ? $"no validated CHECK ({column} IS NOT NULL) on {table.Name} lets PostgreSQL skip the scan"
            : $"before PostgreSQL 12 (the rules follow {_serverVersion}) nothing lets PostgreSQL skip the scan";
        Report(
            LintRuleIds.SetNotNullScan,
            s,
            a,
            LockModes.AccessExclusive,
            $"SET NOT NULL on {column} scans every row of {table.Name} under an ACCESS EXCLUSIVE lock: reads, writes and schema changes wait for the scan; {why}.",
            table.Name);
    }

    private void Rename(LintStatement s, int i, TableState table, bool existing)
    {
        int k = i + 1;
        if (s.Is(k, "TO"))
        {
            k++;
            if (s.TryReadName(ref k, out SqlName newName))
            {
                SqlName old = table.Name;
                _model.Rename(table, new SqlName(old.Schema, newName.Name));
                if (existing)
                {
                    Report(
                        LintRuleIds.BreakingRename,
                        s,
                        i,
                        LockModes.AccessExclusive,
                        $"RENAME TO {newName.Name}: the application version still running while the new one rolls out fails on every query that names {old}.",
                        old);
                }
            }

            return;
        }

        if (s.Is(k, "CONSTRAINT"))
        {
            k++;
            if (s.ReadIdentifier(ref k) is { } from && s.Is(k, "TO"))
            {
                k++;
                if (s.ReadIdentifier(ref k) is { } to && table.Constraints.Remove(from, out ConstraintState? constraint))
                {
                    table.Constraints[to] = constraint;
                }
            }

            return;
        }

        if (s.Is(k, "COLUMN"))
        {
            k++;
        }

        if (s.ReadIdentifier(ref k) is not { } column || !s.Is(k, "TO"))
        {
            return;
        }

        k++;
        if (s.ReadIdentifier(ref k) is not { } renamed)
        {
            return;
        }

        if (table.Columns.Remove(column, out ColumnType? type))
        {
            table.Columns[renamed] = type;
        }

        if (existing)
        {
            Report(
                LintRuleIds.BreakingRename,
                s,
                i,
                LockModes.AccessExclusive,
                $"RENAME COLUMN {column} TO {renamed} on {table.Name}: the application version still running while the new one rolls out fails on every query that names {column}.",
                table.Name);
        }
    }

    // UPDATE / DELETE

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

    // Helpers

    /// <summary>The end of a column's type: the first column constraint keyword at <paramref name="level"/>.</summary>
    private static int FindColumnConstraint(LintStatement s, int from, int end, int level)
    {
        for (int i = from; i < end && i < s.Count; i++)
        {
            if (s.Level(i) == level && s.IsWord(i))
            {
                foreach (string word in ColumnConstraintWords)
                {
                    if (s.Is(i, word))
                    {
                        return i;
                    }
                }
            }
        }

        return Math.Min(end, s.Count);
    }

    /// <summary>The column of <c>CHECK (col IS NOT NULL)</c> (extra parentheses allowed) whose <c>(</c> is at <paramref name="open"/>.</summary>
    private static string? IsNotNullCheck(LintStatement s, int open, int end)
    {
        if (!s.IsOpen(open))
        {
            return null;
        }

        int start = open + 1;
        int stop = s.SkipParentheses(open) - 1;
        if (stop - start > 16)
        {
            // "col IS NOT NULL" in a few parentheses at most; peeling thousands would cost their square.
            return null;
        }

        while (s.IsOpen(start) && s.SkipParentheses(start) == stop)
        {
            start++;
            stop--;
        }

        if (stop > end || stop - start != 4)
        {
            return null;
        }

        int i = start;
        string? column = s.ReadIdentifier(ref i);
        return column is not null && i == start + 1 && s.AreKeywords(i, "IS", "NOT", "NULL") ? column : null;
    }

    private string UnnamedKey() => "\0unnamed " + _unnamed++.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A finding before suppressions and severities: the rule, the statement and where in it, the lock, the message.</summary>
internal sealed record RawFinding(string RuleId, int StatementIndex, int Offset, string? Lock, BlockedOperations Blocks, string Message, SqlName? Table);
