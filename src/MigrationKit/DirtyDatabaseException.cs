namespace MigrationKit;

/// <summary>
/// The history has a dirty row: a script that runs outside a transaction was interrupted or failed, so part of it
/// may have run. Every run refuses until the schema is repaired by hand and the version is set with
/// <see cref="IMigrationRunner.ForceAsync"/>.
/// </summary>
public sealed class DirtyDatabaseException : MigrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message, with how to recover.</param>
    /// <param name="version">The dirty version.</param>
    /// <param name="origin">The script that was running, when the source still has it.</param>
    /// <param name="invalidIndexes">Invalid indexes left by a failed <c>CREATE INDEX CONCURRENTLY</c>, schema-qualified.</param>
    /// <param name="innerException">The failure that left the database dirty, when this run saw it.</param>
    public DirtyDatabaseException(string message, long version, string? origin, IReadOnlyList<string> invalidIndexes, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(invalidIndexes);
        Version = version;
        Origin = origin;
        InvalidIndexes = invalidIndexes;
    }

    /// <summary>Gets the dirty version.</summary>
    public long Version { get; }

    /// <summary>Gets the file or resource of the script that was running, when known.</summary>
    public string? Origin { get; }

    /// <summary>Gets the invalid indexes a failed <c>CREATE INDEX CONCURRENTLY</c> left behind; drop them before retrying.</summary>
    public IReadOnlyList<string> InvalidIndexes { get; }
}
