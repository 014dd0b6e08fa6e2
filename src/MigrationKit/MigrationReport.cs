namespace MigrationKit;

/// <summary>What a run did.</summary>
/// <param name="StartVersion">The newest applied version before the run, 0 when none.</param>
/// <param name="EndVersion">The newest applied version after the run, 0 when none.</param>
/// <param name="Executed">The scripts that ran, in the order they ran.</param>
/// <param name="Duration">How long the whole run took, waiting for the lock included.</param>
public sealed record MigrationReport(
    long StartVersion,
    long EndVersion,
    IReadOnlyList<ExecutedMigration> Executed,
    TimeSpan Duration);
