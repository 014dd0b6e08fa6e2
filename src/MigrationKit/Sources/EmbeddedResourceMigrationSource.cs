using System.Reflection;

namespace MigrationKit.Sources;

/// <summary>
/// Reads migrations embedded in an assembly: the manifest resources whose names end in a migration file name
/// (<c>{version}_{description}.{up|down}.sql</c>), optionally only those under a folder such as <c>Migrations</c>.
/// </summary>
/// <remarks>
/// Embed the files with <c>&lt;EmbeddedResource Include="Migrations/*.sql" /&gt;</c>. Under a folder, a <c>.sql</c>
/// resource that does not match is reported; without one, only resources that match are taken, since other
/// <c>.sql</c> resources of the assembly may have nothing to do with migrations.
/// </remarks>
public sealed class EmbeddedResourceMigrationSource : IMigrationSource, ICatalogMigrationSource
{
    private readonly string? _prefixMarker;

    /// <summary>Creates a source over an assembly's resources.</summary>
    /// <param name="assembly">The assembly that embeds the scripts.</param>
    /// <param name="folder">The folder the scripts were embedded from (such as <c>Migrations</c> or <c>Db/Migrations</c>), or <see langword="null"/> for every matching resource.</param>
    public EmbeddedResourceMigrationSource(Assembly assembly, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        Assembly = assembly;
        Folder = string.IsNullOrWhiteSpace(folder) ? null : folder.Trim('/', '\\', '.');
        _prefixMarker = Folder is null ? null : "." + Folder.Replace('/', '.').Replace('\\', '.') + ".";
    }

    /// <summary>Gets the assembly.</summary>
    public Assembly Assembly { get; }

    /// <summary>Gets the folder, or <see langword="null"/>.</summary>
    public string? Folder { get; }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<Migration>> LoadAsync(CancellationToken cancellationToken = default)
    {
        SourceLoadResult result = await LoadWithProblemsAsync(cancellationToken).ConfigureAwait(false);
        return result.GetMigrationsOrThrow();
    }

    /// <inheritdoc/>
    public override string ToString() => Folder is null
        ? $"resources of {Assembly.GetName().Name}"
        : $"resources of {Assembly.GetName().Name} under {Folder}";

    ValueTask<SourceCatalog> ICatalogMigrationSource.ScanAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(MigrationAssembler.Scan(Resources().Select(r => r.FileName)));
    }

    ValueTask<SourceLoadResult> ICatalogMigrationSource.LoadWithProblemsAsync(CancellationToken cancellationToken) =>
        LoadWithProblemsAsync(cancellationToken);

    string? ICatalogMigrationSource.ExplainEmpty()
    {
        // .sql resources the folder did not match: usually a mistyped folder, or files embedded under another one.
        var elsewhere = Assembly.GetManifestResourceNames()
            .Where(MigrationFileName.IsSqlFile)
            .Select(name => FindMigrationFileName(name) is { } file ? name[..Math.Max(0, name.Length - file.Length - 1)] : null)
            .Where(prefix => prefix is not null)
            .GroupBy(prefix => prefix, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} under '{g.Key}'")
            .ToList();
        return elsewhere.Count == 0
            ? $" {Assembly.GetName().Name} embeds no migration .sql resource at all: is the <EmbeddedResource Include=\"Migrations/*.sql\" /> item in its project file?"
            : $" {Assembly.GetName().Name} embeds migration .sql resources elsewhere: {string.Join(", ", elsewhere)}; pass that folder to FromEmbeddedResources " +
              "(resource names use the project's root namespace and dots for folders).";
    }

    internal ValueTask<SourceLoadResult> LoadWithProblemsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IEnumerable<ScriptFile> files = Resources()
            .Select(r => new ScriptFile(r.FileName, r.ResourceName, () => OpenResource(r.ResourceName)));
        return ValueTask.FromResult(MigrationAssembler.Load(files, cancellationToken));
    }

    private IEnumerable<(string ResourceName, string FileName)> Resources()
    {
        foreach (string name in Assembly.GetManifestResourceNames())
        {
            if (!MigrationFileName.IsSqlFile(name))
            {
                continue;
            }

            if (_prefixMarker is not null)
            {
                // "Planner.Migrations.001_create_projects_table.up.sql": everything after the folder is the file name.
                int at = name.IndexOf(_prefixMarker, StringComparison.OrdinalIgnoreCase);
                if (at < 0 && name.StartsWith(_prefixMarker[1..], StringComparison.OrdinalIgnoreCase))
                {
                    at = -1;
                    yield return (name, name[(_prefixMarker.Length - 1)..]);
                    continue;
                }

                if (at >= 0)
                {
                    yield return (name, name[(at + _prefixMarker.Length)..]);
                }

                continue;
            }

            string? fileName = FindMigrationFileName(name);
            if (fileName is not null)
            {
                yield return (name, fileName);
            }
        }
    }

    private static string? FindMigrationFileName(string resourceName)
    {
        // Without a folder, the file name is the last dot-separated segment that starts with digits and '_'.
        for (int i = resourceName.Length - 1; i >= 0; i--)
        {
            if (i == 0 || resourceName[i - 1] == '.')
            {
                string candidate = resourceName[i..];
                if (char.IsAsciiDigit(candidate[0]) && MigrationFileName.TryParse(candidate, out _, out _, out _, out _))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private Stream OpenResource(string name) => Assembly.GetManifestResourceStream(name)
        ?? throw new IOException($"The resource '{name}' could not be opened.");
}
