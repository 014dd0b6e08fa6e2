using System.Collections.Concurrent;
using System.Globalization;

namespace MigrationKit.Testing.Internal;

/// <summary>The PostgreSQL server programs a local cluster is created and run with.</summary>
internal sealed class PostgresBinaries
{
    private static readonly ConcurrentDictionary<string, PostgresBinaries> Found = new(StringComparer.Ordinal);

    private PostgresBinaries(string binDirectory, string versionText)
    {
        BinDirectory = binDirectory;
        InitDb = Path.Combine(binDirectory, "initdb");
        PgCtl = Path.Combine(binDirectory, "pg_ctl");
        Postgres = Path.Combine(binDirectory, "postgres");
        VersionText = versionText;
    }

    /// <summary>Gets the folder holding the programs.</summary>
    public string BinDirectory { get; }

    /// <summary>Gets the path of <c>initdb</c>.</summary>
    public string InitDb { get; }

    /// <summary>Gets the path of <c>pg_ctl</c>.</summary>
    public string PgCtl { get; }

    /// <summary>Gets the path of <c>postgres</c>.</summary>
    public string Postgres { get; }

    /// <summary>Gets what <c>postgres --version</c> printed, e.g. <c>postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)</c>.</summary>
    public string VersionText { get; }

    /// <summary>
    /// Finds another PostgreSQL program (e.g. <c>pg_basebackup</c>) of the same installation: in <see cref="BinDirectory"/>,
    /// else beside the real <c>postgres</c> when <see cref="BinDirectory"/> holds a link to it (as /usr/local/bin may),
    /// else on <c>PATH</c>; <see langword="null"/> when it is nowhere.
    /// </summary>
    public string? FindProgram(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var beside = Path.Combine(BinDirectory, name);
        if (File.Exists(beside))
        {
            return beside;
        }

        var realPostgres = File.ResolveLinkTarget(Postgres, returnFinalTarget: true)?.FullName;
        if (realPostgres is not null && Path.GetDirectoryName(realPostgres) is { } realFolder && File.Exists(Path.Combine(realFolder, name)))
        {
            return Path.Combine(realFolder, name);
        }

        return ProcessRunner.FindOnPath(name);
    }

    /// <summary>
    /// Finds the server programs in <paramref name="binDirectory"/> when given, else in the folders of <c>PATH</c>,
    /// then in the usual install locations (highest version first).
    /// </summary>
    public static async Task<PostgresBinariesResolution> LocateAsync(string? binDirectory, CancellationToken cancellationToken = default)
    {
        // Found binaries are remembered for the process ('postgres --version' costs tens of milliseconds); failures are not.
        var key = binDirectory ?? string.Empty;
        if (Found.TryGetValue(key, out var found) && HasServerPrograms(found.BinDirectory))
        {
            return new PostgresBinariesResolution(found, null);
        }

        var resolution = await SearchAsync(binDirectory, cancellationToken).ConfigureAwait(false);
        if (resolution.Binaries is not null)
        {
            Found[key] = resolution.Binaries;
        }

        return resolution;
    }

    private static async Task<PostgresBinariesResolution> SearchAsync(string? binDirectory, CancellationToken cancellationToken)
    {
        var candidates = binDirectory is null ? DefaultCandidates() : [binDirectory];
        foreach (var candidate in candidates)
        {
            if (!HasServerPrograms(candidate))
            {
                continue;
            }

            var postgres = Path.Combine(candidate, "postgres");
            ProcessResult result;
            try
            {
                result = await ProcessRunner.RunAsync([postgres, "--version"], null, TimeSpan.FromSeconds(30), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (System.ComponentModel.Win32Exception exception)
            {
                return new PostgresBinariesResolution(null, $"'{postgres} --version' could not run: {exception.Message}");
            }

            if (result.ExitCode != 0)
            {
                return new PostgresBinariesResolution(null, $"'{postgres} --version' failed: {result.CombinedOutput}");
            }

            return new PostgresBinariesResolution(new PostgresBinaries(candidate, result.StandardOutput.Trim()), null);
        }

        var searched = binDirectory is null
            ? "PATH, /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin, /opt/homebrew/bin and /usr/local/bin"
            : $"PostgresServerOptions.BinDirectory ({binDirectory})";
        return new PostgresBinariesResolution(null, $"no PostgreSQL server binaries (initdb, pg_ctl and postgres) were found in {searched}");
    }

    private static bool HasServerPrograms(string folder) =>
        File.Exists(Path.Combine(folder, "initdb"))
        && File.Exists(Path.Combine(folder, "pg_ctl"))
        && File.Exists(Path.Combine(folder, "postgres"));

    private static List<string> DefaultCandidates()
    {
        var candidates = new List<string>();
        var path = Environment.GetEnvironmentVariable("PATH");
        if (!string.IsNullOrEmpty(path))
        {
            candidates.AddRange(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }

        candidates.AddRange(VersionedFolders("/usr/lib/postgresql", "*", "bin"));
        candidates.AddRange(VersionedFolders("/usr", "pgsql-*", "bin"));
        candidates.Add("/usr/local/pgsql/bin");
        candidates.Add("/opt/homebrew/bin");
        candidates.Add("/usr/local/bin");
        return candidates;
    }

    /// <summary>Lists <c>parent/pattern/bin</c> folders, the highest version (the number in the folder name) first.</summary>
    private static List<string> VersionedFolders(string parent, string pattern, string bin)
    {
        if (!Directory.Exists(parent))
        {
            return [];
        }

        try
        {
            return Directory.GetDirectories(parent, pattern)
                .Select(folder => (Folder: folder, Version: ParseVersion(Path.GetFileName(folder))))
                .Where(entry => entry.Version is not null)
                .OrderByDescending(entry => entry.Version)
                .Select(entry => Path.Combine(entry.Folder, bin))
                .ToList();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static Version? ParseVersion(string folderName)
    {
        var digits = new string([.. folderName.SkipWhile(c => !char.IsAsciiDigit(c))]);
        if (digits.Length == 0)
        {
            return null;
        }

        return Version.TryParse(digits.Contains('.', StringComparison.Ordinal) ? digits : digits + ".0", out var version)
            ? version
            : int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? new Version(major, 0) : null;
    }
}

/// <summary>The located server programs, or why none were found.</summary>
internal sealed record PostgresBinariesResolution(PostgresBinaries? Binaries, string? WhyNot);
