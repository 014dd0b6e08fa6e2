using MigrationKit.Linting;
using MigrationKit.Validation;

namespace MigrationKit.Running;

/// <summary>
/// What validation checks without a database: each script as the lexer reads it, the options' policies (down scripts
/// required, sequential versions), and lint of the text (or of the text and catalog, when a report is given).
/// </summary>
internal static class SourceChecks
{
    public static void Check(IReadOnlyList<Migration> migrations, MigrationOptions options, List<ValidationProblem> problems, LintReport? lint = null)
    {
        foreach (Migration migration in migrations)
        {
            MigrationValidator.CheckScript(migration, migration.Up, problems);
            if (migration.Down is not null)
            {
                MigrationValidator.CheckScript(migration, migration.Down, problems);
            }
        }

        MigrationValidator.CheckPolicies(migrations, options, problems);
        LintProblems.Add(lint ?? new MigrationLinter(options.Lint).Lint(migrations), problems);
    }
}
