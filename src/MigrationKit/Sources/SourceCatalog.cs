namespace MigrationKit.Sources;

/// <summary>
/// What a source holds, from names alone, without reading a script: enough to tell a start-up that nothing is
/// pending. <see cref="IsClean"/> is false when any name is malformed or duplicated; then the full load reports why.
/// </summary>
/// <param name="Versions">The up versions, ordered.</param>
/// <param name="IsClean">Whether every name parsed and every version is unique.</param>
internal sealed record SourceCatalog(IReadOnlyList<long> Versions, bool IsClean);
