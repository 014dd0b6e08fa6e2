namespace MigrationKit;

/// <summary>One script that a run executed.</summary>
/// <param name="Version">The migration's version.</param>
/// <param name="Description">The migration's description.</param>
/// <param name="Direction">Whether its up or its down script ran.</param>
/// <param name="Duration">How long the script took, its history record included.</param>
/// <param name="RanOutsideTransaction">Whether it ran outside a transaction, statement by statement.</param>
public sealed record ExecutedMigration(
    long Version,
    string Description,
    MigrationDirection Direction,
    TimeSpan Duration,
    bool RanOutsideTransaction);
