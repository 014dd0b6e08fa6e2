namespace MigrationKit.Sources;

/// <summary>What a source holds: the migrations it could read, and every problem it found.</summary>
internal sealed record SourceLoadResult(IReadOnlyList<Migration> Migrations, IReadOnlyList<ValidationProblem> Problems)
{
    public bool HasErrors => Problems.Any(p => p.Severity == ValidationSeverity.Error);

    /// <summary>The migrations, or an exception listing the errors.</summary>
    public IReadOnlyList<Migration> GetMigrationsOrThrow() =>
        HasErrors ? throw new MigrationValidationException(Problems) : Migrations;
}
