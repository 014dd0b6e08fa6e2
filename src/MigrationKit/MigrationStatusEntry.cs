namespace MigrationKit;

/// <summary>One version in a <see cref="MigrationStatus"/>.</summary>
/// <param name="Version">The version.</param>
/// <param name="Description">The description, from the source when it has the version, else from the history.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Migration">The source's migration, or <see langword="null"/> when it is missing from the source.</param>
/// <param name="Applied">The history row, or <see langword="null"/> when it is pending.</param>
public sealed record MigrationStatusEntry(
    long Version,
    string Description,
    MigrationState State,
    Migration? Migration,
    AppliedMigration? Applied);
