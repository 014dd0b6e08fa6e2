namespace MigrationKit.Running;

/// <summary>Turns an intent, the source and the history into the ordered scripts to run, and the problems that block them.</summary>
internal static class MigrationPlanner
{
    public static IReadOnlyList<PlannedMigration> Plan(
        MigrationIntent intent,
        IReadOnlyList<Migration> migrations,
        IReadOnlyList<AppliedMigration> history,
        List<ValidationProblem> problems)
    {
        var byVersion = migrations.ToDictionary(m => m.Version);
        var applied = new HashSet<long>(history.Select(h => h.Version));
        var steps = new List<PlannedMigration>();

        switch (intent.Kind)
        {
            case MigrationIntentKind.Up:
                steps.AddRange(migrations
                    .Where(m => !applied.Contains(m.Version) && (intent.Phase is not { } phase || m.Phase == phase))
                    .Take(intent.Steps)
                    .Select(m => new PlannedMigration(m, MigrationDirection.Up)));
                break;

            case MigrationIntentKind.Down:
                foreach (AppliedMigration row in history.OrderByDescending(h => h.Version).Take(intent.Steps))
                {
                    AddDown(row, byVersion, steps, problems);
                }

                break;

            case MigrationIntentKind.Goto:
                if (intent.Target != MigrationVersion.None && !byVersion.ContainsKey(intent.Target))
                {
                    problems.Add(new ValidationProblem(
                        ValidationCode.MissingFromSource,
                        ValidationSeverity.Error,
                        $"Version {intent.Target} is not in the source; goto takes one of its versions, or -1 to revert everything.")
                    {
                        Version = intent.Target,
                    });
                    break;
                }

                foreach (AppliedMigration row in history.Where(h => h.Version > intent.Target).OrderByDescending(h => h.Version))
                {
                    AddDown(row, byVersion, steps, problems);
                }

                steps.AddRange(migrations
                    .Where(m => !applied.Contains(m.Version) && m.Version <= intent.Target)
                    .Select(m => new PlannedMigration(m, MigrationDirection.Up)));
                break;
        }

        return steps;
    }

    /// <summary>The newest applied version once the steps have run, or <see langword="null"/> for none.</summary>
    public static long? VersionAfter(IReadOnlyList<AppliedMigration> history, IEnumerable<PlannedMigration> steps)
    {
        var versions = new HashSet<long>(history.Select(h => h.Version));
        foreach (PlannedMigration step in steps)
        {
            if (step.Direction == MigrationDirection.Up)
            {
                versions.Add(step.Version);
            }
            else
            {
                versions.Remove(step.Version);
            }
        }

        return versions.Count == 0 ? null : versions.Max();
    }

    /// <summary>
    /// The pending versions a plan would apply below the newest version still applied when they run. A post-deployment
    /// migration is never out of order: newer pre-deployment migrations may run before it by design (ADR 0010).
    /// </summary>
    public static IEnumerable<(PlannedMigration Step, long NewestApplied)> OutOfOrderSteps(IReadOnlyList<AppliedMigration> history, IReadOnlyList<PlannedMigration> steps)
    {
        var versions = new SortedSet<long>(history.Select(h => h.Version));
        foreach (PlannedMigration step in steps)
        {
            if (step.Direction == MigrationDirection.Down)
            {
                versions.Remove(step.Version);
                continue;
            }

            if (versions.Count > 0 && versions.Max > step.Version && step.Migration.Phase != MigrationPhase.Post)
            {
                yield return (step, versions.Max);
            }

            versions.Add(step.Version);
        }
    }

    private static void AddDown(AppliedMigration row, Dictionary<long, Migration> byVersion, List<PlannedMigration> steps, List<ValidationProblem> problems)
    {
        if (!byVersion.TryGetValue(row.Version, out Migration? migration))
        {
            problems.Add(new ValidationProblem(
                ValidationCode.MissingFromSource,
                ValidationSeverity.Error,
                $"Version {row.Version} ({row.Description}) must be reverted but is not in the source, so there is no down script to run.")
            {
                Version = row.Version,
            });
            return;
        }

        if (migration.Down is null && migration.Up.Parsed.IsEmpty)
        {
            // An up script that holds no statement changed nothing: reverting it is empty too, as golang-migrate
            // reverts a version without a down file. With statements, the missing down script stays an error.
            steps.Add(new PlannedMigration(
                new Migration(migration.Version, migration.Description, migration.Up, new MigrationScript(string.Empty, $"{migration.Up.Origin} (no down file: its up script holds no statement)")),
                MigrationDirection.Down));
            return;
        }

        if (migration.Down is null)
        {
            problems.Add(new ValidationProblem(
                ValidationCode.MissingDownScript,
                ValidationSeverity.Error,
                $"Version {row.Version} must be reverted but has no down script. Add {migration}.down.sql.")
            {
                Version = row.Version,
                Origin = migration.Up.Origin,
            });
            return;
        }

        steps.Add(new PlannedMigration(migration, MigrationDirection.Down));
    }
}
