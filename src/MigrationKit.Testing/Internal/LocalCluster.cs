using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// How a local cluster is started. <paramref name="CreateDataDirectory"/>, when given, makes the data folder (its
/// argument, which does not exist yet) instead of the template or initdb, e.g. <c>pg_basebackup</c> for a standby, and
/// returns where it came from, for the log. <paramref name="SynchronousCommit"/> runs the server with
/// <c>synchronous_commit = on</c>, so a commit survives an immediate stop, instead of <c>off</c>.
/// </summary>
internal sealed record LocalClusterSettings(
    TimeSpan StartTimeout,
    bool UseTemplate,
    Func<int> PortPicker,
    int OwnerProcessId,
    bool StartWatchdog,
    Func<string, CancellationToken, Task<string>>? CreateDataDirectory = null,
    bool SynchronousCommit = false);

/// <summary>
/// A private PostgreSQL cluster: a data folder (copied from a cached template, or made by initdb) under the
/// cluster root, and a postmaster listening on a free loopback port only, tuned for tests (no fsync).
/// </summary>
internal sealed class LocalCluster
{
    private const int MaximumStartAttempts = 5;

    /// <summary>How long a cluster template may go unused before it is deleted.</summary>
    private static readonly TimeSpan TemplateLifetime = TimeSpan.FromDays(7);

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
        var root = ClusterRoot.Get();
        await ClusterJanitor.CleanAsync(root, binaries, user, logger, cancellationToken).ConfigureAwait(false);
        ClusterTemplate.PruneUnused(root, TemplateLifetime);

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
                var result = await TryStartAsync(folder, port, binaries, user, settings.SynchronousCommit, stopwatch, settings.StartTimeout, cancellationToken)
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
            var result = await TryStartAsync(Folder, Port, binaries, user, SynchronousCommit, Stopwatch.StartNew(), timeout, cancellationToken).ConfigureAwait(false);
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

    private static string BuildConnectionString(int port, bool? pooling)
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

    private static async Task<StartAttempt> TryStartAsync(
        string folder, int port, PostgresBinaries binaries, ServerUser user, bool synchronousCommit, Stopwatch stopwatch, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var data = Path.Combine(folder, "data");
        var log = Path.Combine(folder, "server.log");
        File.Delete(log);

        // sh sends the server's streams to the log (and detaches it from ours) before it becomes the postmaster.
        var commandLine = user.Wrap(
            "sh", "-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "migrationkit-postgres", log,
            binaries.Postgres, "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=",
            "-c", "fsync=off",
            "-c", synchronousCommit ? "synchronous_commit=on" : "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=300",
            "-c", "shared_buffers=128MB",
            "-c", "log_min_messages=warning");
        var process = new Process { StartInfo = ProcessRunner.CreateStartInfo(commandLine, folder), EnableRaisingEvents = true };
        using var exited = new CancellationTokenSource();
        process.Exited += (_, _) => CancelQuietly(exited);
        process.Start();
        var exitedTask = process.WaitForExitAsync(CancellationToken.None);
        process.StandardInput.Close();
        var launcherOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var launcherError = process.StandardError.ReadToEndAsync(CancellationToken.None);

        var probe = new NpgsqlConnectionStringBuilder(BuildConnectionString(port, pooling: false)) { Timeout = 5 }.ConnectionString;
        var deadline = timeout - stopwatch.Elapsed;
        var waited = Stopwatch.StartNew();
        string failure;
        while (true)
        {
            if (process.HasExited)
            {
                var launcher = ((await launcherOutput.ConfigureAwait(false)) + await launcherError.ConfigureAwait(false)).Trim();
                failure = string.Create(CultureInfo.InvariantCulture, $"the server exited with code {process.ExitCode}")
                    + (launcher.Length == 0 ? string.Empty : ": " + launcher);
                break;
            }

            try
            {
                // A connection attempt ends early when the server exits, or after a few seconds when something that is not
                // a PostgreSQL server took the port and accepts connections without answering.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, exited.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                var query = QueryIdentityAsync(probe, attempt.Token);
                if (await Task.WhenAny(query, exitedTask).ConfigureAwait(false) != query)
                {
                    // Npgsql does not always stop waiting for the server's first answer when cancelled.
                    _ = query.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    continue;
                }

                var (dataDirectory, version) = await query.ConfigureAwait(false);
                if (string.Equals(Path.GetFullPath(dataDirectory), Path.GetFullPath(data), StringComparison.Ordinal))
                {
                    return new StartAttempt(process, false, string.Empty, string.Empty, version);
                }

                // Another server took the port between picking and binding; ours cannot listen on it.
                failure = $"port {port.ToString(CultureInfo.InvariantCulture)} is served by another PostgreSQL ({dataDirectory})";
                await StopFailedAsync(process, binaries, user, data, folder).ConfigureAwait(false);
                return new StartAttempt(null, true, failure, ReadLogTail(log));
            }
            catch (NpgsqlException) when (waited.Elapsed < deadline)
            {
                // Not accepting connections yet (refused, or "the database system is starting up").
            }
            catch (NpgsqlException exception)
            {
                failure = $"it did not accept connections within {timeout.TotalSeconds:0.#} s ({exception.Message})";
                await StopFailedAsync(process, binaries, user, data, folder).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && waited.Elapsed < deadline)
            {
                // The server exited (seen at the top of the loop), or the attempt timed out: try again.
                continue;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"it did not accept connections within {timeout.TotalSeconds:0.#} s";
                await StopFailedAsync(process, binaries, user, data, folder).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException)
            {
                await StopFailedAsync(process, binaries, user, data, folder).ConfigureAwait(false);
                throw;
            }

            try
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await StopFailedAsync(process, binaries, user, data, folder).ConfigureAwait(false);
                throw;
            }
        }

        process.Dispose();
        var tail = ReadLogTail(log);
        var portTaken = tail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase)
            || tail.Contains("could not bind", StringComparison.OrdinalIgnoreCase);
        return new StartAttempt(null, portTaken, failure, tail);
    }

    /// <summary>Asks the server for its data folder (to tell it from another server on the port) and its version.</summary>
    private static async Task<(string DataDirectory, Version Version)> QueryIdentityAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT current_setting('data_directory'), current_setting('server_version_num')", connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return (reader.GetString(0), ServerQueries.ParseVersionNumber(reader.GetString(1)));
                }
            }
        }
    }

    private static async Task StopFailedAsync(Process process, PostgresBinaries binaries, ServerUser user, string data, string folder)
    {
        if (!process.HasExited)
        {
            await ProcessRunner.RunAsync(
                user.Wrap(binaries.PgCtl, "stop", "-D", data, "-m", "immediate", "-w", "-t", "30"), folder, TimeSpan.FromSeconds(40))
                .ConfigureAwait(false);
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The start attempt is over.
        }
    }

    private static string ReadLogTail(string log)
    {
        try
        {
            var lines = File.ReadAllLines(log);
            return lines.Length == 0 ? "(the log is empty)" : string.Join(Environment.NewLine, lines.TakeLast(30));
        }
        catch (IOException)
        {
            return "(there is no log)";
        }
        catch (UnauthorizedAccessException)
        {
            return "(the log cannot be read)";
        }
    }

    private sealed record StartAttempt(Process? Postmaster, bool PortTaken, string Failure, string LogTail, Version? ServerVersion = null);
}
