namespace MigrationKit;

/// <summary>One problem found by validation.</summary>
/// <param name="Code">What kind of problem it is.</param>
/// <param name="Severity">Whether it blocks runs.</param>
/// <param name="Message">What is wrong and what to do about it.</param>
/// <param name="Version">The version concerned, when there is one.</param>
/// <param name="Origin">The file or resource concerned, when there is one.</param>
/// <param name="Line">The 1-based line in <paramref name="Origin"/>, when known.</param>
/// <param name="Column">The 1-based column in <paramref name="Origin"/>, when known.</param>
public sealed record ValidationProblem(
    ValidationCode Code,
    ValidationSeverity Severity,
    string Message,
    long? Version = null,
    string? Origin = null,
    int? Line = null,
    int? Column = null)
{
    /// <summary>
    /// Gets the lint rule of a <see cref="ValidationCode.LintFinding"/>, such as <c>blocking-index-build</c>;
    /// <see langword="null"/> for every other code.
    /// </summary>
    public string? RuleId { get; init; }

    /// <summary>Returns the problem as one line: where, severity, code (or lint rule), message.</summary>
    /// <returns>A line such as <c>migrations/003_x.up.sql:4:7: error ChecksumDrift: …</c> or <c>…: warning blocking-index-build: …</c>.</returns>
    public override string ToString()
    {
        string where = Origin is null ? string.Empty
            : Line is null ? $"{Origin}: "
            : Column is null ? $"{Origin}:{Line}: "
            : $"{Origin}:{Line}:{Column}: ";
        string severity = Severity switch
        {
            ValidationSeverity.Error => "error",
            ValidationSeverity.Warning => "warning",
            _ => "note",
        };
        return $"{where}{severity} {RuleId ?? Code.ToString()}: {Message}";
    }
}
