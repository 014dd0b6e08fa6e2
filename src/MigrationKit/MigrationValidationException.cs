namespace MigrationKit;

/// <summary>
/// The source or the plan has problems that block a run; every one of them is in <see cref="Problems"/> and in the
/// message.
/// </summary>
public sealed class MigrationValidationException : MigrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problems">The problems; at least one.</param>
    public MigrationValidationException(IEnumerable<ValidationProblem> problems)
        : this(problems is null ? [] : [.. problems])
    {
    }

    private MigrationValidationException(List<ValidationProblem> problems)
        : base(BuildMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }

    private static string BuildMessage(List<ValidationProblem> problems)
    {
        int errors = problems.Count(p => p.Severity == ValidationSeverity.Error);
        string head = errors == 1
            ? "Migrations cannot run: 1 problem must be fixed first."
            : $"Migrations cannot run: {errors} problems must be fixed first.";
        return head + Environment.NewLine + string.Join(Environment.NewLine, problems
            .Where(p => p.Severity == ValidationSeverity.Error)
            .Select(p => "  " + p));
    }
}
