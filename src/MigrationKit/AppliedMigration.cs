namespace MigrationKit;

/// <summary>One row of the history: a version that is applied, or was being applied when it went dirty.</summary>
public sealed record AppliedMigration
{
    /// <summary>Gets the version.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the description recorded with it.</summary>
    public required string Description { get; init; }

    /// <summary>
    /// Gets the checksum of the up script when it was recorded, or <see langword="null"/> when it was recorded without
    /// one (golang-migrate's table keeps none).
    /// </summary>
    public string? Checksum { get; init; }

    /// <summary>Gets a value indicating whether a script outside a transaction runs for this version, or failed.</summary>
    public bool IsDirty { get; init; }

    /// <summary>Gets when it was recorded, or <see langword="null"/> when that is not known (golang-migrate's table).</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>Gets how long its script took, when known.</summary>
    public TimeSpan? ExecutionTime { get; init; }

    /// <summary>Gets the database user that recorded it, or <see langword="null"/> when that is not known.</summary>
    public string? AppliedBy { get; init; }

    /// <summary>Gets how the row came to be: applied, forced, baselined, or from golang-migrate.</summary>
    public HistoryRecordKind Kind { get; init; }
}
