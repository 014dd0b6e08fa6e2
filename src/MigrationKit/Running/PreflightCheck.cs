using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using MigrationKit.Validation;

namespace MigrationKit.Running;

/// <summary>
/// The pre-flight check of a run, before anything is written (golang-migrate's table adopted included): dirty rows
/// first (they need a person), then every problem that blocks the plan at once. Warnings are logged; the plan is
/// returned when nothing blocks it. A dry run collects the warnings instead of logging them.
/// </summary>
internal static class PreflightCheck
{
    public static async Task<IReadOnlyList<PlannedMigration>> CheckAsync(
        IMigrationStoreSession session,
        MigrationIntent intent,
        IReadOnlyList<Migration> migrations,
        IReadOnlyList<AppliedMigration> history,
        MigrationOptions options,
        ILogger logger,
        bool lockHeld,
        CancellationToken cancellationToken,
        ICollection<ValidationProblem>? warnings = null)
    {
        AppliedMigration? dirty = history.FirstOrDefault(h => h.IsDirty);
        if (dirty is not null)
        {
            IReadOnlyList<string> invalid = await session.ReadInvalidIndexesAsync(cancellationToken).ConfigureAwait(false);
            Migration? migration = migrations.FirstOrDefault(m => m.Version == dirty.Version);
            throw new DirtyDatabaseException(DirtyExplanation.Explain(dirty, migrations, invalid), dirty.Version, migration?.Up.Origin, invalid);
        }

        var problems = new List<ValidationProblem>();
        IReadOnlyList<PlannedMigration> steps = MigrationPlanner.Plan(intent, migrations, history, problems);
        foreach (PlannedMigration step in steps)
        {
            MigrationValidator.CheckScript(step.Migration, step.Script, problems);
        }

        MigrationValidator.CheckPolicies(migrations, options, problems);
        var historyProblems = new List<ValidationProblem>();
        MigrationValidator.CheckHistory(migrations, history, options, historyProblems);
        problems.AddRange(historyProblems.Where(p => p.Code != ValidationCode.OutOfOrder));

        foreach ((PlannedMigration step, long newestApplied) in MigrationPlanner.OutOfOrderSteps(history, steps))
        {
            if (options.OutOfOrder == OutOfOrderPolicy.Apply)
            {
                logger.ApplyingOutOfOrder(step.Version, newestApplied);
                continue;
            }

            problems.Add(new ValidationProblem(
                ValidationCode.OutOfOrder,
                ValidationSeverity.Error,
                $"Version {step.Version} is pending but older than the newest applied version {newestApplied}. Give it a version above {newestApplied}, or set " +
                $"{nameof(MigrationOptions.OutOfOrder)} = Apply to run it anyway (the command line's --out-of-order).")
            {
                Version = step.Version,
                Origin = step.Migration.Up.Origin,
            });
        }

        if (lockHeld)
        {
            session.CheckPlan(steps, problems);
        }

        if (problems.Any(p => p.Severity == ValidationSeverity.Error))
        {
            throw new MigrationValidationException(problems.Where(p => p.Severity == ValidationSeverity.Error));
        }

        foreach (ValidationProblem warning in problems.Where(p => p.Severity == ValidationSeverity.Warning))
        {
            if (warnings is not null)
            {
                warnings.Add(warning);
            }
            else
            {
                logger.ValidationWarning(warning.ToString());
            }
        }

        return steps;
    }
}
