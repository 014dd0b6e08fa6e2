namespace MigrationKit.Sources;

/// <summary>
/// Implemented by the built-in sources: a names-only scan for the no-op fast path, and a load that reports every
/// problem instead of throwing at the first.
/// </summary>
internal interface ICatalogMigrationSource : IMigrationSource
{
    /// <summary>Lists the versions from names alone, reading no script.</summary>
    ValueTask<SourceCatalog> ScanAsync(CancellationToken cancellationToken);

    /// <summary>Reads every migration and collects every problem.</summary>
    ValueTask<SourceLoadResult> LoadWithProblemsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Says, when the source holds no migration, where it looked and what it found instead (for example .sql resources
    /// under another folder), as a sentence that starts with a space; <see langword="null"/> when there is nothing to add.
    /// </summary>
    string? ExplainEmpty() => null;
}
