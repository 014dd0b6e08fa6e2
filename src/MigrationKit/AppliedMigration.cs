namespace MigrationKit;

/// <summary>One row of the history table: a version that is applied, or was being applied when it went dirty.</summary>
/// <param name="Version">The version.</param>
/// <param name="Description">The description recorded with it.</param>
/// <param name="Checksum">The checksum of the up script when it was applied, or <see langword="null"/> when it was adopted without one.</param>
/// <param name="IsDirty"><see langword="true"/> while a script outside a transaction runs for this version, and after it failed.</param>
/// <param name="AppliedAt">When it was recorded.</param>
/// <param name="ExecutionTime">How long its script took, when known.</param>
/// <param name="AppliedBy">The database user that applied it.</param>
public sealed record AppliedMigration(
    long Version,
    string Description,
    string? Checksum,
    bool IsDirty,
    DateTimeOffset AppliedAt,
    TimeSpan? ExecutionTime,
    string AppliedBy);
