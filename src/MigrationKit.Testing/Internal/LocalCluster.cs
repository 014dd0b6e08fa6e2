using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// A private PostgreSQL cluster: a data folder (copied from a cached template, or made by initdb) under the
/// cluster root, and a postmaster listening on a free loopback port only, tuned for tests (no fsync).
/// </summary>
internal sealed class LocalCluster
{
    private const int MaximumStartAttempts = 5;

    private readonly PostgresBinaries binaries;
    private readonly ServerUser user;
    private Process? postmaster;
    private int busy;
    private int stopped;

    private LocalCluster(string folder, int port, Version serverVersion, Process postmaster, PostgresBinaries binaries, ServerUser user, bool synchronousCommit)
    {
        SynchronousCommit = synchronousCommit;
        Folder = folder;
        Port = port;
        ServerVersion = serverVersion;
        this.postmaster = postmaster;
        this.binaries = binaries;
        this.user = user;
    }

    /// <summary>Gets the cluster folder (holding <c>data</c>, <c>server.log</c> and <c>owner</c>).</summary>
    public string Folder { get; }

    /// <summary>Gets the data folder.</summary>
    public string DataDirectory => Path.Combine(Folder, "data");

    /// <summary>Gets the loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Gets the server version, queried when the server was found ready.</summary>
    public Version ServerVersion { get; }

    /// <summary>Gets the connection string to the <c>postgres</c> database as the <c>postgres</c> superuser.</summary>
    public string ConnectionString => BuildConnectionString(Port, pooling: null);

    /// <summary>Gets a value indicating whether the server runs with <c>synchronous_commit = on</c>.</summary>
    public bool SynchronousCommit { get; }

    /// <summary>Gets the server programs the cluster runs with.</summary>
    public PostgresBinaries Binaries => binaries;

    /// <summary>Gets the operating-system user the server runs as.</summary>
    public ServerUser User => user;

    /// <summary>Gets a value indicating whether the postmaster runs (not stopped by <see cref="StopServerAsync"/> or <see cref="StopAsync"/>).</summary>
    public bool IsRunning => postmaster is { HasExited: false };

    /// <summary>Picks a free loopback port by binding port 0.</summary>
    public static int PickFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Creates and starts a cluster; on failure nothing is left behind.</summary>
    public static async Task<LocalCluster> StartAsync(
        PostgresBinaries binaries, ServerUser user, LocalClusterSettings settings, ILogger logger, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var root = settings.Root ?? ClusterRoot.Get();
        await ClusterJanitor.CleanAsync(root, binaries, user, logger, cancellationToken).ConfigureAwait(false);
        if (settings.UseTemplate && settings.CreateDataDirectory is null)
        {
            ClusterJanitor.CleanTemplates(root, binaries, user, logger);
        }

        var folder = Path.Combine(root, ClusterOwnerFile.NewFolderName(settings.OwnerProcessId));
        Directory.CreateDirectory(folder);
        try
        {
            ClusterOwnerFile.Write(
                folder,
                settings.OwnerProcessId,
                settings.OwnerProcessId == Environment.ProcessId ? ProcessLiveness.CurrentStartTicks() : null);
            await user.TakeOwnershipAsync(folder, cancellationToken).ConfigureAwait(false);
            if (settings.StartWatchdog)
            {
                try
                {
                    await ClusterWatchdog.StartAsync(settings.OwnerProcessId, folder, binaries.PgCtl, user, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
                {
                    Log.WatchdogStartFailed(logger, folder, exception);
                }
            }

            var data = Path.Combine(folder, "data");
            string origin;
            if (settings.CreateDataDirectory is { } createDataDirectory)
            {
                origin = await createDataDirectory(data, cancellationToken).ConfigureAwait(false);
            }
            else if (settings.UseTemplate)
            {
                var template = await ClusterTemplate.GetAsync(root, binaries, user, settings.StartTimeout, logger, cancellationToken)
                    .ConfigureAwait(false);
                await ClusterTemplate.CopyAsync(template, user, data, settings.StartTimeout, cancellationToken).ConfigureAwait(false);
                origin = "copied from the template " + Path.GetFileName(Path.GetDirectoryName(template));
            }
            else
            {
                await ClusterTemplate.InitDbAsync(binaries, user, data, settings.StartTimeout, cancellationToken).ConfigureAwait(false);
                origin = "made by initdb";
            }

            for (var attempt = 1; ; attempt++)
            {
                var port = settings.PortPicker();
                var result = await PostmasterLauncher.TryStartAsync(folder, port, binaries, user, settings.SynchronousCommit, stopwatch, settings.StartTimeout, cancellationToken)
                    .ConfigureAwait(false);
                if (result.Postmaster is not null)
                {
                    Log.LocalClusterStarted(logger, port, stopwatch.ElapsedMilliseconds, data, user.Name, origin);
                    return new LocalCluster(folder, port, result.ServerVersion!, result.Postmaster, binaries, user, settings.SynchronousCommit);
                }

                if (result.PortTaken && attempt < MaximumStartAttempts)
                {
                    Log.LocalClusterPortTaken(logger, port);
                    continue;
                }

                throw new InvalidOperationException(
                    $"The private PostgreSQL cluster in '{folder}' did not start: {result.Failure}{Environment.NewLine}"
                    + $"Last lines of the server log:{Environment.NewLine}{result.LogTail}");
            }
        }
        catch
        {
            ClusterJanitor.DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m immediate</c>) and deletes the cluster folder.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        try
        {
            if (postmaster is { HasExited: false } running)
            {
                await ProcessRunner.RunAsync(
                    user.Wrap(binaries.PgCtl, "stop", "-D", DataDirectory, "-m", "immediate", "-W"),
                    Folder,
                    TimeSpan.FromSeconds(30),
                    cancellationToken).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                try
                {
                    await running.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    running.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            postmaster?.Dispose();
            postmaster = null;
            ClusterJanitor.DeleteFolder(Folder);
        }
    }

    /// <summary>
    /// Restarts the server on the same port and data folder, as <c>pg_ctl restart</c> does: <see cref="StopServerAsync"/>
    /// in <paramref name="mode"/>, then <see cref="StartServerAsync"/>. A test hook for fault tests.
    /// </summary>
    public async Task RestartAsync(string mode, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await StopServerAsync(mode, cancellationToken).ConfigureAwait(false);
        await StartServerAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the postmaster and keeps the folder, so <see cref="StartServerAsync"/> can start it again: <c>pg_ctl stop</c>
    /// in <paramref name="mode"/> (<c>smart</c>: waits for the sessions to end; <c>fast</c>: sessions are ended with SQLSTATE
    /// 57P01 and a checkpoint is written; <c>immediate</c>: a crash, recovered from the WAL at the next start). Returns at
    /// once when the server is already stopped. A test hook for restart and failover tests.
    /// </summary>
    public async Task StopServerAsync(string mode, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mode);
        EnterTransition();
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref stopped) != 0, this);
            if (postmaster is not { } running)
            {
                return;
            }

            if (!running.HasExited)
            {
                await ProcessRunner.RunCheckedAsync(
                    user.Wrap(binaries.PgCtl, "stop", "-D", DataDirectory, "-m", mode, "-w", "-t", "60"),
                    Folder,
                    TimeSpan.FromSeconds(70),
                    cancellationToken).ConfigureAwait(false);
                using var exit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                exit.CancelAfter(TimeSpan.FromSeconds(30));
                await running.WaitForExitAsync(exit.Token).ConfigureAwait(false);
            }

            running.Dispose();
            postmaster = null;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>
    /// Starts the postmaster again on the same port and data folder after <see cref="StopServerAsync"/>, and waits until it
    /// accepts connections (a standby: read-only ones). Returns at once when the server runs.
    /// </summary>
    public async Task StartServerAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        EnterTransition();
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref stopped) != 0, this);
            if (postmaster is { HasExited: false })
            {
                return;
            }

            postmaster?.Dispose();
            postmaster = null;
            var result = await PostmasterLauncher.TryStartAsync(Folder, Port, binaries, user, SynchronousCommit, Stopwatch.StartNew(), timeout, cancellationToken).ConfigureAwait(false);
            if (result.Postmaster is null)
            {
                throw new InvalidOperationException(
                    $"The private PostgreSQL cluster in '{Folder}' did not start again on port {Port}: {result.Failure}{Environment.NewLine}"
                    + $"Last lines of the server log:{Environment.NewLine}{result.LogTail}");
            }

            postmaster = result.Postmaster;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>
    /// Promotes a standby (<c>pg_ctl promote -w</c>): returns once it has left recovery and accepts writes.
    /// </summary>
    public async Task PromoteAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        EnterTransition();
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref stopped) != 0, this);
            var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await ProcessRunner.RunCheckedAsync(
                user.Wrap(binaries.PgCtl, "promote", "-D", DataDirectory, "-w", "-t", seconds),
                Folder,
                timeout + TimeSpan.FromSeconds(10),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Stopping, starting and promoting are one at a time; a second one at once is a mistake in the test.</summary>
    private void EnterTransition()
    {
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException("The cluster is already being stopped, started or promoted; wait for that first.");
        }
    }

    /// <summary>The connection string to the <c>postgres</c> database as <c>postgres</c> on loopback <paramref name="port"/>.</summary>
    internal static string BuildConnectionString(int port, bool? pooling)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
        };
        if (pooling is { } value)
        {
            builder.Pooling = value;
        }

        return builder.ConnectionString;
    }
}
