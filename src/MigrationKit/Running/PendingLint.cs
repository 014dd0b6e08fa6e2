using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using MigrationKit.Linting;
using MigrationKit.Validation;

namespace MigrationKit.Running;

/// <summary>
/// Lints the migrations a run is about to apply (tables made earlier in the same run are new and empty) and logs each
/// finding; an error-severity finding (configured in <see cref="MigrationOptions.Lint"/>) refuses the run before
/// anything is written.
/// </summary>
internal static class PendingLint
{
    public static async Task CheckAsync(IMigrationStoreSession session, IReadOnlyList<Migration> migrations, IReadOnlyList<PlannedMigration> steps, MigrationOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var pending = steps.Where(s => s.Direction == MigrationDirection.Up).Select(s => s.Version).ToHashSet();
        if (pending.Count == 0)
        {
            return;
        }

        LintReport report = await LintCatalog.LintAsync(new MigrationLinter(options.Lint), migrations, pending, session, cancellationToken).ConfigureAwait(false);
        var findings = report.Findings.Where(f => pending.Contains(f.Version)).ToList();
        foreach (LintFinding finding in findings)
        {
            logger.LintFinding(finding.ToString());
        }

        var errors = findings.Where(f => f.Severity == LintSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            var problems = new List<ValidationProblem>();
            LintProblems.Add(new LintReport(errors, report.ServerVersion, report.MigrationCount, report.StatementCount), problems);
            throw new MigrationValidationException(problems);
        }
    }
}
