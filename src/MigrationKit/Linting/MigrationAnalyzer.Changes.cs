namespace MigrationKit.Linting;

/// <summary>The rules of <c>ALTER TABLE … ALTER COLUMN</c> (a type that rewrites, <c>SET NOT NULL</c>) and of renames.</summary>
internal sealed partial class MigrationAnalyzer
{
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
