namespace MigrationKit;

/// <summary>
/// Versions as MigrationKit reads them: non-negative 64-bit integers, 0 included (golang-migrate folders start at
/// <c>0_initial</c>). "No version applied" is not a version: reported versions are <see langword="null"/> then, and
/// an operation that takes a target version takes <see cref="None"/>, golang-migrate's <c>-1</c>.
/// </summary>
public static class MigrationVersion
{
    /// <summary>
    /// The target "no version": <see cref="IMigrationRunner.ForceAsync"/> with it records that nothing is applied
    /// (golang-migrate's <c>force -1</c>), and <see cref="IMigrationRunner.GotoAsync"/> with it reverts everything.
    /// </summary>
    public const long None = -1;

    /// <summary>Formats a reported version for messages: the number, or <c>none</c>.</summary>
    /// <param name="version">The version, or <see langword="null"/> for none.</param>
    /// <returns>The text.</returns>
    public static string Format(long? version) =>
        version is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
}
