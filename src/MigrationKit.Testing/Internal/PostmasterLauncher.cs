using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// One start of a local cluster's postmaster: the command line (the settings tuned for tests), the wait until it accepts
/// connections (and is ours, not another server that took the port), and the clean-up of a start that failed.
/// </summary>
internal static class PostmasterLauncher
{
    /// <summary>
    /// Starts the postmaster of the cluster in <paramref name="folder"/> on <paramref name="port"/> and waits, until
    /// <paramref name="timeout"/> counted from <paramref name="stopwatch"/>, for it to accept connections. A failed
    /// attempt leaves no process behind and says why, with the tail of the server log and whether the port was taken.
    /// </summary>
    public static async Task<PostmasterStart> TryStartAsync(
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

        var probe = new NpgsqlConnectionStringBuilder(LocalCluster.BuildConnectionString(port, pooling: false)) { Timeout = 5 }.ConnectionString;
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
                    return new PostmasterStart(process, false, string.Empty, string.Empty, version);
                }

                // Another server took the port between picking and binding; ours cannot listen on it.
                failure = $"port {port.ToString(CultureInfo.InvariantCulture)} is served by another PostgreSQL ({dataDirectory})";
                await StopFailedAsync(process, binaries, user, data, folder).ConfigureAwait(false);
                return new PostmasterStart(null, true, failure, ReadLogTail(log));
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
        return new PostmasterStart(null, portTaken, failure, tail);
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
}

/// <summary>
/// The outcome of <see cref="PostmasterLauncher.TryStartAsync"/>: the running postmaster and its version, or why it did
/// not start (with the tail of the server log, and whether another process had the port).
/// </summary>
internal sealed record PostmasterStart(Process? Postmaster, bool PortTaken, string Failure, string LogTail, Version? ServerVersion = null);
