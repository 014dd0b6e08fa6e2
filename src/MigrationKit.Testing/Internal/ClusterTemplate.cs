using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Creates data folders with initdb, and caches one initdb'd data folder per binaries, version and server user
/// (<c>template-{version}-{hash}</c> under the cluster root, about 40 MB for PostgreSQL 15) so later clusters are a
/// copy away (tens of milliseconds) instead of an initdb (about a second). The cache outlives the process, bounded by
/// <see cref="ClusterTemplateCache"/>: the janitor removes stale templates when a cluster starts.
/// </summary>
/// <remarks>
/// Concurrent processes are safe: a template is made in a private folder and renamed into place atomically; a
/// template that is in place is complete and never changed (a process that loses the race deletes its copy), and
/// clusters only ever copy from it. Beside its <c>data</c> folder, a file <c>binaries</c> records the <c>initdb</c>
/// and the version it was made with, so a template whose binaries are gone can be told.
/// </remarks>
internal static class ClusterTemplate
{
    /// <summary>The start of a template folder's name.</summary>
    public const string NamePrefix = "template-";

    /// <summary>The file beside a template's <c>data</c> folder that records its binaries: the <c>initdb</c> path, then the version text.</summary>
    public const string BinariesFileName = "binaries";

    private static readonly SemaphoreSlim CreationLock = new(1, 1);

    /// <summary>Runs initdb into <paramref name="dataDirectory"/> (which must not exist) as <paramref name="user"/>.</summary>
    public static async Task InitDbAsync(
        PostgresBinaries binaries, ServerUser user, string dataDirectory, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await ProcessRunner.RunCheckedAsync(
            user.Wrap(binaries.InitDb, "-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"),
            Path.GetDirectoryName(dataDirectory),
            timeout,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the data folder of the template for <paramref name="binaries"/>, creating it when missing.</summary>
    public static async Task<string> GetAsync(
        string root, PostgresBinaries binaries, ServerUser user, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(root, FolderName(binaries, user));
        var data = Path.Combine(folder, "data");
        if (IsComplete(data))
        {
            MarkUsed(folder);
            return data;
        }

        await CreationLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsComplete(data))
            {
                return data;
            }

            var stopwatch = Stopwatch.StartNew();
            var scratch = Path.Combine(root, ClusterOwnerFile.NewFolderName(Environment.ProcessId, ".template"));
            Directory.CreateDirectory(scratch);
            try
            {
                ClusterOwnerFile.Write(scratch, Environment.ProcessId, ProcessLiveness.CurrentStartTicks());
                await user.TakeOwnershipAsync(scratch, cancellationToken).ConfigureAwait(false);
                await InitDbAsync(binaries, user, Path.Combine(scratch, "data"), timeout, cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(
                    Path.Combine(scratch, BinariesFileName), $"{RealInitDb(binaries)}\n{binaries.VersionText}\n", cancellationToken).ConfigureAwait(false);
                File.Delete(Path.Combine(scratch, ClusterOwnerFile.FileName));
                try
                {
                    Directory.Move(scratch, folder);
                    Log.ClusterTemplateCreated(logger, folder, stopwatch.ElapsedMilliseconds);
                }
                catch (IOException) when (IsComplete(data))
                {
                    // Another process put its template in place first; use that one.
                }
            }
            finally
            {
                ClusterJanitor.DeleteFolder(scratch);
            }

            if (!IsComplete(data))
            {
                throw new InvalidOperationException($"The cluster template '{folder}' is incomplete; delete that folder.");
            }

            return data;
        }
        finally
        {
            CreationLock.Release();
        }
    }

    /// <summary>Copies the template data folder to <paramref name="dataDirectory"/> (which must not exist) as <paramref name="user"/>.</summary>
    public static async Task CopyAsync(
        string templateData, ServerUser user, string dataDirectory, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await ProcessRunner.RunCheckedAsync(
            user.Wrap("cp", "-R", "-p", templateData, dataDirectory),
            Path.GetDirectoryName(dataDirectory),
            timeout,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Describes the template <paramref name="binaries"/> and <paramref name="user"/> use (or will make) under <paramref name="root"/>.</summary>
    public static CachedTemplate Describe(string root, PostgresBinaries binaries, ServerUser user)
    {
        var name = FolderName(binaries, user);
        var folder = Path.Combine(root, name);
        return new CachedTemplate(folder, name, VersionOf(name), RealInitDb(binaries), binaries.VersionText, LastUsed(folder) ?? DateTimeOffset.MinValue);
    }

    /// <summary>Lists the templates under <paramref name="root"/>, with the binaries they record and when they were last used.</summary>
    public static IReadOnlyList<CachedTemplate> List(string root)
    {
        string[] folders;
        try
        {
            folders = Directory.GetDirectories(root, NamePrefix + "*");
        }
        catch (IOException)
        {
            return [];
        }

        var templates = new List<CachedTemplate>();
        foreach (var folder in folders)
        {
            if (LastUsed(folder) is not { } lastUsed)
            {
                continue; // removed meanwhile
            }

            string? initDb = null, versionText = null;
            try
            {
                var lines = File.ReadAllLines(Path.Combine(folder, BinariesFileName));
                (initDb, versionText) = lines.Length >= 2 ? (lines[0], lines[1]) : (null, null);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Made before the binaries were recorded: only its age and its version tell.
            }

            var name = Path.GetFileName(folder);
            templates.Add(new CachedTemplate(folder, name, VersionOf(name), initDb, versionText, lastUsed));
        }

        return templates;
    }

    /// <summary>
    /// Removes the template in <paramref name="folder"/>: renamed away first, atomically, so no one starts copying a
    /// half-deleted one. Returns <see langword="false"/> when another process removed it first or it is not ours to remove.
    /// </summary>
    public static bool Remove(string root, string folder)
    {
        try
        {
            var doomed = Path.Combine(root, ClusterOwnerFile.NewFolderName(Environment.ProcessId, ".template"));
            Directory.Move(folder, doomed);
            ClusterJanitor.DeleteFolder(doomed);
            return true;
        }
        catch (IOException)
        {
            // Another process removed or used it meanwhile.
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to delete.
            return false;
        }
    }

    private static void MarkUsed(string folder)
    {
        try
        {
            Directory.SetLastWriteTimeUtc(folder, TimeProvider.System.GetUtcNow().UtcDateTime);
        }
        catch (IOException)
        {
            // Only pruning relies on it.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private static bool IsComplete(string data) =>
        File.Exists(Path.Combine(data, "PG_VERSION")) && File.Exists(Path.Combine(data, "global", "pg_control"));

    private static string FolderName(PostgresBinaries binaries, ServerUser user)
    {
        var identity = string.Join(
            '\n',
            "initdb -U postgres --auth=trust -E UTF8 --no-locale",
            RealInitDb(binaries),
            binaries.VersionText,
            user.UserId?.ToString(CultureInfo.InvariantCulture) ?? user.Name);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        var version = new string([.. binaries.VersionText.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(c => char.IsAsciiDigit(c) || c == '.')]);
        return $"{NamePrefix}{(version.Length == 0 ? "pg" : version)}-{hash}";
    }

    /// <summary>The real initdb (symbolic links resolved), so /usr/local/bin and /usr/lib/postgresql/15/bin share a template.</summary>
    private static string RealInitDb(PostgresBinaries binaries) =>
        File.ResolveLinkTarget(binaries.InitDb, returnFinalTarget: true)?.FullName ?? binaries.InitDb;

    /// <summary>The PostgreSQL version in a template's name: <c>template-{version}-{hash}</c>.</summary>
    private static string VersionOf(string name)
    {
        var rest = name.StartsWith(NamePrefix, StringComparison.Ordinal) ? name[NamePrefix.Length..] : name;
        var dash = rest.LastIndexOf('-');
        return dash > 0 ? rest[..dash] : rest;
    }

    /// <summary>When the template in <paramref name="folder"/> was last used (made, or copied from); <see langword="null"/> when it does not exist.</summary>
    private static DateTimeOffset? LastUsed(string folder)
    {
        try
        {
            return Directory.Exists(folder) ? new DateTimeOffset(Directory.GetLastWriteTimeUtc(folder), TimeSpan.Zero) : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
