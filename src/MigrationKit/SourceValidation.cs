using MigrationKit.Linting;

namespace MigrationKit;

/// <summary>What <see cref="MigrationSourceValidator.ValidateAsync"/> found in a source.</summary>
public sealed record SourceValidation
{
    /// <summary>Gets the migrations that could be read, ordered by version.</summary>
    public required IReadOnlyList<Migration> Migrations { get; init; }

    /// <summary>Gets every problem; <see cref="ValidationReport.IsValid"/> tells whether anything blocks a run.</summary>
    public required ValidationReport Report { get; init; }

    /// <summary>Gets the lint findings of the text (also in <see cref="Report"/> as <see cref="ValidationCode.LintFinding"/>).</summary>
    public required LintReport Lint { get; init; }
}
