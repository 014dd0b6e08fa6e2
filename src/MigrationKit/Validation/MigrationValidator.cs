using MigrationKit.Sql;

namespace MigrationKit.Validation;

/// <summary>
/// The checks shared by <see cref="IMigrationRunner.ValidateAsync"/> and the pre-flight check of every run: the
/// scripts themselves, the options' policies, and the source against the history.
/// </summary>
internal static class MigrationValidator
{
    /// <summary>Checks one script: lexer errors, emptiness, and whether it runs outside a transaction.</summary>
    public static void CheckScript(Migration migration, MigrationScript script, List<ValidationProblem> problems)
    {
        SqlScript parsed = script.Parsed;
        foreach (SqlSyntaxError error in parsed.Errors)
        {
            problems.Add(new ValidationProblem(
                error.Kind == SqlSyntaxErrorKind.MetaCommand ? ValidationCode.PsqlMetaCommand : ValidationCode.SyntaxError,
                ValidationSeverity.Error,
                error.Kind == SqlSyntaxErrorKind.Unterminated
                    ? $"{error.Message}. The script cannot be split into statements; nothing of it was sent to the server."
                    : $"{error.Message} The script cannot run as written; nothing of it was sent to the server.")
            {
                Version = migration.Version,
                Origin = script.Origin,
                Line = error.Position.Line,
                Column = error.Position.Column,
            });
        }

        if (parsed.IsEmpty)
        {
            problems.Add(new ValidationProblem(
                ValidationCode.EmptyScript,
                ValidationSeverity.Warning,
                "The script holds no statement; running it only records the version.") { Version = migration.Version, Origin = script.Origin });
        }

        if (parsed.RunsOutsideTransaction)
        {
            problems.Add(new ValidationProblem(
                ValidationCode.RunsOutsideTransaction,
                ValidationSeverity.Info,
                $"Runs outside a transaction, statement by statement, under the dirty flag: {parsed.OutsideTransactionReason}.") { Version = migration.Version, Origin = script.Origin });
        }
    }

    /// <summary>Checks the options' policies over the whole source: down scripts and sequential versions.</summary>
    public static void CheckPolicies(IReadOnlyList<Migration> migrations, MigrationOptions options, List<ValidationProblem> problems)
    {
        foreach (Migration migration in migrations)
        {
            if (migration.Down is null)
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.MissingDownScript,
                    options.RequireDownScripts ? ValidationSeverity.Error : ValidationSeverity.Info,
                    options.RequireDownScripts
                        ? $"Version {migration.Version} has no down script, and {nameof(MigrationOptions.RequireDownScripts)} is set. Add {migration}.down.sql."
                        : $"Version {migration.Version} has no down script: it cannot be reverted.") { Version = migration.Version, Origin = migration.Up.Origin });
            }
        }

        if (options.RequireSequentialVersions && migrations.Count > 0)
        {
            // Sequential from where the folder starts: 1, 2, 3, … or, as golang-migrate folders may, 0, 1, 2, …
            long expected = migrations[0].Version == 0 ? 0 : 1;
            foreach (Migration migration in migrations)
            {
                if (migration.Version != expected)
                {
                    problems.Add(new ValidationProblem(
                        ValidationCode.VersionGap,
                        ValidationSeverity.Error,
                        $"Version {migration.Version} follows {expected - 1}, but {nameof(MigrationOptions.RequireSequentialVersions)} asks for {expected}. Renumber the file.") { Version = migration.Version, Origin = migration.Up.Origin });
                }

                expected = migration.Version + 1;
            }
        }
    }

    /// <summary>Checks the source against the history: dirty rows, drift, missing and future versions, out-of-order pending versions.</summary>
    public static void CheckHistory(IReadOnlyList<Migration> migrations, IReadOnlyList<AppliedMigration> history, MigrationOptions options, List<ValidationProblem> problems)
    {
        var byVersion = migrations.ToDictionary(m => m.Version);
        long newestSource = migrations.Count == 0 ? -1 : migrations[^1].Version;
        long newestApplied = history.Count == 0 ? -1 : history.Max(h => h.Version);
        var applied = new HashSet<long>(history.Select(h => h.Version));

        foreach (AppliedMigration row in history)
        {
            byVersion.TryGetValue(row.Version, out Migration? migration);
            if (row.IsDirty)
            {
                problems.Add(new ValidationProblem(ValidationCode.Dirty, ValidationSeverity.Error, DirtyExplanation.Explain(row, migrations, []))
                {
                    Version = row.Version,
                    Origin = migration?.Up.Origin,
                });
            }

            if (migration is null)
            {
                problems.Add(row.Version < newestSource
                    ? new ValidationProblem(
                        ValidationCode.MissingFromSource,
                        ValidationSeverity.Error,
                        $"Version {row.Version} ({row.Description}) is applied but no longer in the source. Restore its files; a migration that ran must stay.") { Version = row.Version }
                    : new ValidationProblem(
                        ValidationCode.FutureVersion,
                        ValidationSeverity.Warning,
                        $"Version {row.Version} ({row.Description}) is applied but newer than anything in the source: the database is ahead of this build.") { Version = row.Version });
                continue;
            }

            if (row.Checksum is not null && !string.Equals(row.Checksum, migration.Up.Checksum, StringComparison.Ordinal))
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.ChecksumDrift,
                    ValidationSeverity.Error,
                    $"The up script of version {row.Version} changed since it was applied (checksum then {Short(row.Checksum)}, now {Short(migration.Up.Checksum)}). An applied migration must not change: revert the edit and put the change in a new migration.") { Version = row.Version, Origin = migration.Up.Origin });
            }
        }

        foreach (Migration migration in migrations)
        {
            if (!applied.Contains(migration.Version) && migration.Version < newestApplied && migration.Phase != MigrationPhase.Post)
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.OutOfOrder,
                    options.OutOfOrder == OutOfOrderPolicy.Fail ? ValidationSeverity.Error : ValidationSeverity.Info,
                    options.OutOfOrder == OutOfOrderPolicy.Fail
                        ? $"Version {migration.Version} is pending but older than the newest applied version {newestApplied}. Give it a version above {newestApplied}, or set {nameof(MigrationOptions.OutOfOrder)} = Apply to run it anyway."
                        : $"Version {migration.Version} is pending and older than the newest applied version {newestApplied}; it will be applied out of order.") { Version = migration.Version, Origin = migration.Up.Origin });
            }
        }
    }

    private static string Short(string checksum) => checksum.Length > 12 ? checksum[..12] : checksum;
}
