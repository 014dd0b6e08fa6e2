using MigrationKit.Linting;
using MigrationKit.Sources;
using MigrationKit.Validation;

namespace MigrationKit.Running;

/// <summary>
/// Validation with a database: the source's checks, lint against the live catalog, and the history against the
/// source (drift, missing files, out-of-order versions, dirt), a golang-migrate table read as it is.
/// </summary>
internal static class HistoryValidation
{
    public static async Task<ValidationReport> ValidateAsync(IMigrationStoreSession session, SourceLoadResult loaded, MigrationOptions options, CancellationToken cancellationToken)
    {
        var problems = new List<ValidationProblem>(loaded.Problems);
        LintReport lint = await LintCatalog.LintAsync(new MigrationLinter(options.Lint), loaded.Migrations, null, session, cancellationToken).ConfigureAwait(false);
        SourceChecks.Check(loaded.Migrations, options, problems, lint);
        MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
        if (history.Format == HistoryFormat.GolangMigrate)
        {
            problems.Add(new ValidationProblem(
                ValidationCode.GolangMigrateHistory,
                ValidationSeverity.Info,
                $"{session.HistoryTable} is golang-migrate's table, at version {MigrationVersion.Format(history.GolangMigrateVersion)}{(history.GolangMigrateDirty ? ", dirty" : string.Empty)}: " +
                "read as it is here, and upgraded in place by the next run that writes (up, force, baseline, repair), after which golang-migrate must not run on it."));
        }

        MigrationValidator.CheckHistory(loaded.Migrations, EffectiveHistory.Of(history, loaded.Migrations), options, problems);
        return new ValidationReport(problems);
    }
}
