namespace MigrationKit.Sources;

/// <summary>
/// Migrations by version, and the one check that two of them never share a version: used wherever migrations meet
/// (code-given ones, several sources read as one), with the message saying where the two came from.
/// </summary>
internal sealed class MigrationSet
{
    private readonly SortedDictionary<long, Migration> _byVersion = [];

    /// <summary>Gets the migrations, ordered by version.</summary>
    public IReadOnlyList<Migration> Migrations => [.. _byVersion.Values];

    /// <summary>
    /// Adds a migration; a second one of the same version is left out and reported as a
    /// <see cref="ValidationCode.DuplicateVersion"/> error: "Version V is {<paramref name="twice"/>}: origin and origin. {<paramref name="advice"/>}".
    /// </summary>
    public bool Add(Migration migration, List<ValidationProblem> problems, string twice, string advice)
    {
        if (_byVersion.TryAdd(migration.Version, migration))
        {
            return true;
        }

        problems.Add(new ValidationProblem(
            ValidationCode.DuplicateVersion,
            ValidationSeverity.Error,
            $"Version {migration.Version} is {twice}: {_byVersion[migration.Version].Up.Origin} and {migration.Up.Origin}. {advice}")
        {
            Version = migration.Version,
            Origin = migration.Up.Origin,
        });
        return false;
    }

    /// <summary>Whether versions listed from names alone are unique (the no-op start's check before any script is read).</summary>
    public static bool AreUnique(IEnumerable<long> versions)
    {
        var seen = new HashSet<long>();
        return versions.All(seen.Add);
    }
}
