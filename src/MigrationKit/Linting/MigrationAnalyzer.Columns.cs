namespace MigrationKit.Linting;

/// <summary>The rules of <c>ALTER TABLE … ADD COLUMN</c> (defaults that rewrite, required columns) and <c>ADD CONSTRAINT</c>.</summary>
internal sealed partial class MigrationAnalyzer
{
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
}
