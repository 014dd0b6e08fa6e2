namespace MigrationKit;

/// <summary>What a run would do, computed without running it.</summary>
/// <param name="CurrentVersion">The newest applied version, 0 when none.</param>
/// <param name="TargetVersion">The newest applied version once the plan has run.</param>
/// <param name="Steps">The scripts that would run, in order.</param>
public sealed record MigrationPlan(long CurrentVersion, long TargetVersion, IReadOnlyList<PlannedMigration> Steps)
{
    /// <summary>Gets a value indicating whether the plan runs nothing.</summary>
    public bool IsEmpty => Steps.Count == 0;
}
