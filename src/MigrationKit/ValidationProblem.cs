namespace MigrationKit;

/// <summary>One problem found by validation or by the pre-flight check of a run.</summary>
public sealed record ValidationProblem
{
    /// <summary>Creates a problem.</summary>
    /// <param name="code">What kind of problem it is.</param>
    /// <param name="severity">Whether it blocks a run.</param>
    /// <param name="message">What is wrong and what to do.</param>
    public ValidationProblem(ValidationCode code, ValidationSeverity severity, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Code = code;
        Severity = severity;
        Message = message;
    }

    /// <summary>Gets what kind of problem it is.</summary>
    public ValidationCode Code { get; init; }

    /// <summary>Gets whether it blocks a run.</summary>
    public ValidationSeverity Severity { get; init; }

    /// <summary>Gets what is wrong and what to do.</summary>
    public string Message { get; init; }

    /// <summary>Gets the version concerned, when there is one.</summary>
    public long? Version { get; init; }

    /// <summary>Gets the file or resource concerned, when there is one.</summary>
    public string? Origin { get; init; }

    /// <summary>Gets the 1-based line in <see cref="Origin"/>, when known.</summary>
    public int? Line { get; init; }

    /// <summary>Gets the 1-based column in <see cref="Origin"/>, when known.</summary>
    public int? Column { get; init; }

    /// <summary>
    /// Gets the lint rule of a <see cref="ValidationCode.LintFinding"/>, such as <c>blocking-index-build</c>;
    /// <see langword="null"/> for every other code.
    /// </summary>
    public string? RuleId { get; init; }

    /// <summary>
    /// Formats the problem as a compiler prints one: <c>origin:line:column: error Code: message</c>, with the lint rule in
    /// place of the code for a lint finding.
    /// </summary>
    /// <returns>The text.</returns>
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
