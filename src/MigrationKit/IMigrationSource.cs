namespace MigrationKit;

/// <summary>
/// Where migrations come from. A source only reads migrations; it never touches the database.
/// </summary>
public interface IMigrationSource
{
    /// <summary>Reads every migration of this source, ordered by version.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The migrations, ordered by version.</returns>
    /// <exception cref="MigrationValidationException">
    /// The source holds something that is not a valid migration (a malformed file name, a duplicate version, a
    /// script that is not valid UTF-8); every such problem is listed.
    /// </exception>
    ValueTask<IReadOnlyList<Migration>> LoadAsync(CancellationToken cancellationToken = default);
}
