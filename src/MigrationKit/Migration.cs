namespace MigrationKit;

/// <summary>
/// One version of the schema: an up script that brings the database to <see cref="Version"/>, and an optional
/// down script that reverts it.
/// </summary>
public sealed class Migration
{
    /// <summary>Creates a migration.</summary>
    /// <param name="version">The version, a non-negative 64-bit integer, as golang-migrate reads them (sequential such as <c>0</c> or <c>1</c> or a timestamp such as <c>20261124143000</c>).</param>
    /// <param name="description">The description, usually the part of the file name after the version.</param>
    /// <param name="up">The script that applies this version.</param>
    /// <param name="down">The script that reverts it, or <see langword="null"/> when there is none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is negative.</exception>
    public Migration(long version, string description, MigrationScript up, MigrationScript? down = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(up);
        Version = version;
        Description = description;
        Up = up;
        Down = down;
    }

    /// <summary>Gets the version.</summary>
    public long Version { get; }

    /// <summary>Gets the description.</summary>
    public string Description { get; }

    /// <summary>Gets the script that applies this version.</summary>
    public MigrationScript Up { get; }

    /// <summary>Gets the script that reverts this version, or <see langword="null"/> when there is none.</summary>
    public MigrationScript? Down { get; }

    /// <summary>
    /// Gets the deploy phase of this migration: <see cref="MigrationPhase.Post"/> when a
    /// <c>-- migrationkit:phase post</c> comment line comes before the first statement of the up script (read the
    /// way <c>-- migrationkit:no-transaction</c> is read), otherwise <see cref="MigrationPhase.Pre"/>.
    /// </summary>
    /// <remarks>Reading it parses the up script once (the parse is kept for running it).</remarks>
    public MigrationPhase Phase => Up.Parsed.Phase;

    /// <summary>Returns <c>{Version}_{Description}</c>.</summary>
    /// <returns>The version and description, as in a file name.</returns>
    public override string ToString() => $"{Version}_{Description}";
}
