namespace MigrationKit.Linting;

/// <summary>The rules and the model of <c>ALTER TABLE</c> (each action of it) and <c>ALTER INDEX … RENAME</c>.</summary>
internal sealed partial class MigrationAnalyzer
{

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
}
