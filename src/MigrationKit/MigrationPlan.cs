namespace MigrationKit;

/// <summary>What a run would do, computed without running it.</summary>
public sealed record MigrationPlan
{
    /// <summary>Gets the newest applied version, or <see langword="null"/> when none is applied.</summary>
    public long? CurrentVersion { get; init; }

    /// <summary>Gets the newest applied version once the plan has run, or <see langword="null"/> when none will be.</summary>
    public long? TargetVersion { get; init; }

    /// <summary>Gets the scripts that would run, in order.</summary>
    public required IReadOnlyList<PlannedMigration> Steps { get; init; }

    /// <summary>
    /// Gets a value indicating whether the run would first adopt golang-migrate's history table (upgrade it in place,
    /// recording every source version up to golang-migrate's as applied).
    /// </summary>
    public bool AdoptsGolangMigrateHistory { get; init; }

    /// <summary>Gets the problems that would not stop the run (an empty script, say), which the run would log.</summary>
    public IReadOnlyList<ValidationProblem> Warnings { get; init; } = [];

    /// <summary>Gets a value indicating whether the plan runs nothing.</summary>
    public bool IsEmpty => Steps.Count == 0;
}
