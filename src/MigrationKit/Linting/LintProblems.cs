namespace MigrationKit.Linting;

/// <summary>Lint findings as validation problems, for <see cref="IMigrationRunner.ValidateAsync"/> and <c>migrationkit validate</c>.</summary>
internal static class LintProblems
{
    /// <summary>Adds one <see cref="ValidationCode.LintFinding"/> per finding; an error-severity finding stays an error.</summary>
    public static void Add(LintReport report, List<ValidationProblem> problems)
    {
        foreach (LintFinding finding in report.Findings)
        {
            problems.Add(new ValidationProblem(
                ValidationCode.LintFinding,
                finding.Severity switch
                {
                    LintSeverity.Error => ValidationSeverity.Error,
                    LintSeverity.Warning => ValidationSeverity.Warning,
                    _ => ValidationSeverity.Info,
                },
                finding.Message)
            {
                Version = finding.Version,
                Origin = finding.Origin,
                Line = finding.Line,
                Column = finding.Column,
                RuleId = finding.RuleId,
            });
        }
    }
}
