namespace MigrationKit.Sources;

/// <summary>
/// Several sources read as one (a folder and embedded resources, say). A version found in two of them is a
/// duplicate, reported with both origins.
/// </summary>
internal sealed class CompositeMigrationSource : ICatalogMigrationSource
{
    private readonly IReadOnlyList<IMigrationSource> _sources;

    public CompositeMigrationSource(IEnumerable<IMigrationSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _sources = [.. sources];
    }

    public async ValueTask<IReadOnlyList<Migration>> LoadAsync(CancellationToken cancellationToken = default)
    {
        SourceLoadResult result = await LoadWithProblemsAsync(cancellationToken).ConfigureAwait(false);
        return result.GetMigrationsOrThrow();
    }

    public async ValueTask<SourceCatalog> ScanAsync(CancellationToken cancellationToken)
    {
        var versions = new List<long>();
        bool clean = true;
        foreach (IMigrationSource source in _sources)
        {
            if (source is not ICatalogMigrationSource catalogSource)
            {
                return new SourceCatalog([], IsClean: false);
            }

            SourceCatalog catalog = await catalogSource.ScanAsync(cancellationToken).ConfigureAwait(false);
            clean &= catalog.IsClean;
            versions.AddRange(catalog.Versions);
        }

        clean &= MigrationSet.AreUnique(versions);
        versions.Sort();
        return new SourceCatalog(versions, clean);
    }

    public async ValueTask<SourceLoadResult> LoadWithProblemsAsync(CancellationToken cancellationToken)
    {
        var problems = new List<ValidationProblem>();
        var set = new MigrationSet();
        foreach (IMigrationSource source in _sources)
        {
            SourceLoadResult part = await LoadOneAsync(source, cancellationToken).ConfigureAwait(false);
            problems.AddRange(part.Problems);
            foreach (Migration migration in part.Migrations)
            {
                set.Add(migration, problems, "in two sources", "Keep one.");
            }
        }

        return new SourceLoadResult(set.Migrations, problems);
    }

    public override string ToString() => string.Join(" + ", _sources);

    string? ICatalogMigrationSource.ExplainEmpty() =>
        string.Concat(_sources.OfType<ICatalogMigrationSource>().Select(s => s.ExplainEmpty()));

    /// <summary>Loads any source, built-in or not, as migrations plus problems.</summary>
    internal static async ValueTask<SourceLoadResult> LoadOneAsync(IMigrationSource source, CancellationToken cancellationToken)
    {
        if (source is ICatalogMigrationSource catalogSource)
        {
            return await catalogSource.LoadWithProblemsAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            IReadOnlyList<Migration> migrations = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
            var problems = new List<ValidationProblem>();
            var ordered = new SortedDictionary<long, Migration>();
            foreach (Migration migration in migrations)
            {
                if (!ordered.TryAdd(migration.Version, migration))
                {
                    problems.Add(new ValidationProblem(
                        ValidationCode.DuplicateVersion,
                        ValidationSeverity.Error,
                        $"Version {migration.Version} is given twice by {source}: {ordered[migration.Version].Up.Origin} and {migration.Up.Origin}.") { Version = migration.Version, Origin = migration.Up.Origin });
                }
            }

            return new SourceLoadResult([.. ordered.Values], problems);
        }
        catch (MigrationValidationException ex)
        {
            return new SourceLoadResult([], ex.Problems);
        }
    }
}
