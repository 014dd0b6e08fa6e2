using MigrationKit.Sources;

namespace MigrationKit.Fleet;

/// <summary>
/// A source read once for a whole fleet: every target's run gets the same migrations (its placeholders replaced by its
/// own run) and the same names-only catalog for its no-op start, without reading the folder again.
/// </summary>
internal sealed class PreloadedSource(IMigrationSource original, SourceLoadResult loaded) : ICatalogMigrationSource
{
    private readonly SourceCatalog _catalog = new([.. loaded.Migrations.Select(m => m.Version)], !loaded.HasErrors);

    public SourceLoadResult Loaded => loaded;

    public ValueTask<IReadOnlyList<Migration>> LoadAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(loaded.GetMigrationsOrThrow());

    public ValueTask<SourceCatalog> ScanAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_catalog);

    public ValueTask<SourceLoadResult> LoadWithProblemsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(loaded);

    public string? ExplainEmpty() => (original as ICatalogMigrationSource)?.ExplainEmpty();

    public override string ToString() => original.ToString() ?? original.GetType().Name;
}
