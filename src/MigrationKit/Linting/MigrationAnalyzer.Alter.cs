namespace MigrationKit.Linting;

/// <summary>The rules and the model of <c>ALTER TABLE</c> and the dispatch of each of its actions; the actions' rules are in MigrationAnalyzer.Columns.cs and MigrationAnalyzer.Changes.cs.</summary>
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
}
