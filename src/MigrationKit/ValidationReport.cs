namespace MigrationKit;

/// <summary>Every problem validation found.</summary>
public sealed class ValidationReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="problems">The problems, in the order found.</param>
    public ValidationReport(IEnumerable<ValidationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        Problems = [.. problems];
        Errors = [.. Problems.Where(p => p.Severity == ValidationSeverity.Error)];
    }

    /// <summary>Gets every problem, errors, warnings and notes.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }

    /// <summary>Gets the problems that block runs.</summary>
    public IReadOnlyList<ValidationProblem> Errors { get; }

    /// <summary>Gets a value indicating whether nothing blocks a run.</summary>
    public bool IsValid => Errors.Count == 0;
}
