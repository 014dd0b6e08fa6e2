namespace MigrationKit.Sources;

/// <summary>
/// Reads migrations from the <c>.sql</c> files of one folder (not its subfolders), named
/// <c>{version}_{description}.{up|down}.sql</c> as golang-migrate names them. A <c>.sql</c> file that does not
/// match is reported, never skipped; other files (a README, say) are ignored.
/// </summary>
public sealed class FileSystemMigrationSource : IMigrationSource, ICatalogMigrationSource
{
    private static readonly EnumerationOptions Enumeration = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        MatchType = MatchType.Simple,
    };

    /// <summary>Creates a source over a folder.</summary>
    /// <param name="directory">The folder, absolute or relative to the current directory.</param>
    public FileSystemMigrationSource(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
    }

    /// <summary>Gets the folder, as given.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<Migration>> LoadAsync(CancellationToken cancellationToken = default)
    {
        SourceLoadResult result = await LoadWithProblemsAsync(cancellationToken).ConfigureAwait(false);
        return result.GetMigrationsOrThrow();
    }

    /// <inheritdoc/>
    public override string ToString() => $"folder {Directory}";

    ValueTask<SourceCatalog> ICatalogMigrationSource.ScanAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!System.IO.Directory.Exists(Directory))
        {
            return ValueTask.FromResult(new SourceCatalog([], IsClean: false));
        }

        return ValueTask.FromResult(MigrationAssembler.Scan(
            System.IO.Directory.EnumerateFileSystemEntries(Directory, "*.sql", Enumeration).Select(Path.GetFileName)!));
    }

    /// <inheritdoc cref="ICatalogMigrationSource.LoadWithProblemsAsync"/>
    string? ICatalogMigrationSource.ExplainEmpty()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return null;
        }

        int others = System.IO.Directory.EnumerateFileSystemEntries(Directory, "*", Enumeration).Count();
        return $" The folder {Path.GetFullPath(Directory)} has no .sql file" + (others > 0 ? $" ({others} other entries)." : " (it is empty).");
    }

    internal ValueTask<SourceLoadResult> LoadWithProblemsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!System.IO.Directory.Exists(Directory))
        {
            return ValueTask.FromResult(new SourceLoadResult([], [
                new ValidationProblem(
                    ValidationCode.UnreadableScript,
                    ValidationSeverity.Error,
                    $"The migrations folder '{Directory}' does not exist (full path {Path.GetFullPath(Directory)}). Check the path, or create the folder with `migrationkit create`.") { Origin = Directory },
            ]));
        }

        // Directories too: one named like a script is reported, never skipped.
        IEnumerable<ScriptFile> files = System.IO.Directory.EnumerateFileSystemEntries(Directory, "*", Enumeration)
            .Select(path => new ScriptFile(Path.GetFileName(path), path, () => ScriptFileReader.Open(path)));
        return ValueTask.FromResult(MigrationAssembler.Load(files, cancellationToken));
    }

    ValueTask<SourceLoadResult> ICatalogMigrationSource.LoadWithProblemsAsync(CancellationToken cancellationToken) =>
        LoadWithProblemsAsync(cancellationToken);
}
