using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Creates data folders with initdb, and caches one initdb'd data folder per binaries, version and server user
/// (<c>template-{version}-{hash}</c> under the cluster root) so later clusters are a copy away (tens of
/// milliseconds) instead of an initdb (about a second).
/// </summary>
/// <remarks>
/// Concurrent processes are safe: a template is made in a private folder and renamed into place atomically; a
/// template that is in place is complete and never changed (a process that loses the race deletes its copy), and
/// clusters only ever copy from it.
/// </remarks>
internal static class ClusterTemplate
{
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

    /// <summary>
    /// Deletes the templates under <paramref name="root"/> not used for <paramref name="unusedFor"/> (e.g. left by
    /// binaries since upgraded). A template is first renamed away, atomically, so no one starts copying a half-deleted one.
    /// </summary>
    public static void PruneUnused(string root, TimeSpan unusedFor)
    {
        string[] templates;
        try
        {
            templates = Directory.GetDirectories(root, "template-*");
        }
        catch (IOException)
        {
            return;
        }

        foreach (var template in templates)
        {
            try
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(template) < unusedFor)
                {
                    continue;
                }

                var doomed = Path.Combine(root, ClusterOwnerFile.NewFolderName(Environment.ProcessId, ".template"));
                Directory.Move(template, doomed);
                ClusterJanitor.DeleteFolder(doomed);
            }
            catch (IOException)
            {
                // Another process pruned or used it meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to delete.
            }
        }
    }

    private static void MarkUsed(string folder)
    {
        try
        {
            Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow);
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
        // The real initdb (symbolic links resolved), so /usr/local/bin and /usr/lib/postgresql/15/bin share a template.
        var initDb = File.ResolveLinkTarget(binaries.InitDb, returnFinalTarget: true)?.FullName ?? binaries.InitDb;
        var identity = string.Join(
            '\n',
            "initdb -U postgres --auth=trust -E UTF8 --no-locale",
            initDb,
            binaries.VersionText,
            user.UserId?.ToString(CultureInfo.InvariantCulture) ?? user.Name);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        var version = new string([.. binaries.VersionText.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(c => char.IsAsciiDigit(c) || c == '.')]);
        return $"template-{(version.Length == 0 ? "pg" : version)}-{hash}";
    }
}
