namespace MigrationKit;

/// <summary>A version of the history and its dirty flag: all a start-up needs to tell that nothing is pending.</summary>
/// <param name="Version">The version.</param>
/// <param name="IsDirty">Whether the row is dirty.</param>
public readonly record struct AppliedVersion(long Version, bool IsDirty);
