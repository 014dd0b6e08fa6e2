using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Removes cluster folders whose owning process has died without cleaning up (and whose watchdog did not either):
/// stops their postmaster (or kills their PgBouncer), then deletes the folder; and removes stale cluster templates.
/// Safe to run from several processes at once.
/// </summary>
internal static class ClusterJanitor
{
    /// <summary>Cleans up the stale cluster folders under <paramref name="root"/>; failures are logged, never thrown.</summary>
    public static async Task CleanAsync(string root, PostgresBinaries binaries, ServerUser user, ILogger logger, CancellationToken cancellationToken = default)
    {
        string[] folders;
        try
        {
            folders = Directory.GetDirectories(root);
        }
        catch (IOException)
        {
            return;
        }

        foreach (var folder in folders)
        {
            if (!ClusterOwnerFile.TryRead(folder, out var processId, out var startTicks)
                || processId == Environment.ProcessId
                || ProcessLiveness.IsRunning(processId, startTicks))
            {
                continue;
            }

            try
            {
                var data = Path.Combine(folder, "data");
                if (File.Exists(Path.Combine(data, "postmaster.pid")))
                {
                    await ProcessRunner.RunAsync(
                        user.Wrap(binaries.PgCtl, "stop", "-D", data, "-m", "immediate", "-w", "-t", "30"),
                        root,
                        TimeSpan.FromSeconds(40),
                        cancellationToken).ConfigureAwait(false);
                }

                PgBouncerProcess.KillLeftOver(folder);
                DeleteFolder(folder);
                Log.StaleClusterRemoved(logger, folder, processId);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException
                or TimeoutException or System.ComponentModel.Win32Exception)
            {
                Log.StaleClusterRemovalFailed(logger, folder, exception);
            }
        }
    }

    /// <summary>
    /// Removes the cluster templates under <paramref name="root"/> that <see cref="ClusterTemplateCache"/> finds stale
    /// for a start with <paramref name="binaries"/> as <paramref name="user"/>: binaries gone or changed, unused for a
    /// week, superseded for their PostgreSQL version, or beyond the count. Failures are skipped, never thrown.
    /// </summary>
    public static void CleanTemplates(string root, PostgresBinaries binaries, ServerUser user, ILogger logger, TimeProvider? timeProvider = null)
    {
        var current = ClusterTemplate.Describe(root, binaries, user);
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        foreach (var (template, reason) in ClusterTemplateCache.SelectStale(ClusterTemplate.List(root), current, now, File.Exists))
        {
            if (ClusterTemplate.Remove(root, template.Folder))
            {
                Log.ClusterTemplateRemoved(logger, template.Folder, reason);
            }
        }
    }

    /// <summary>Deletes <paramref name="folder"/> and everything in it; a folder already gone is fine.</summary>
    public static void DeleteFolder(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // A file appeared meanwhile (a server still shutting down, or another janitor); try again.
                Thread.Sleep(20 * attempt);
            }
        }
    }
}
