namespace MigrationKit;

/// <summary>One version in a <see cref="MigrationStatus"/>.</summary>
public sealed record MigrationStatusEntry
{
    /// <summary>Gets the version.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the description, from the source when it has the version, else from the history.</summary>
    public required string Description { get; init; }

    /// <summary>Gets where it stands.</summary>
    public required MigrationState State { get; init; }

    /// <summary>Gets the source's migration, or <see langword="null"/> when it is missing from the source.</summary>
    public Migration? Migration { get; init; }

    /// <summary>Gets the history row, or <see langword="null"/> when it is pending.</summary>
    public AppliedMigration? Applied { get; init; }
}
