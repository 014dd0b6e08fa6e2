using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The PgBouncer process: finding the program, one start (as the server user, its log in the folder) and the wait
/// until it listens, and killing the one a dead test process left behind.
/// </summary>
internal static class PgBouncerProcess
{
    /// <summary>The name of PgBouncer's log in the folder.</summary>
    public const string LogFileName = "pgbouncer.log";

    /// <summary>Where PgBouncer is looked for after <c>PATH</c>.</summary>
    public static readonly string[] UsualFolders = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/opt/homebrew/sbin"];

    /// <summary>Returns <paramref name="binaryPath"/> when it exists, else <c>pgbouncer</c> on <c>PATH</c> or in <see cref="UsualFolders"/>; <see langword="null"/> when there is none.</summary>
    public static string? Locate(string? binaryPath)
    {
        if (binaryPath is not null)
        {
            return File.Exists(binaryPath) ? binaryPath : null;
        }

        return ProcessRunner.FindOnPath("pgbouncer")
            ?? UsualFolders.Select(folder => Path.Combine(folder, "pgbouncer")).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Starts PgBouncer on the configuration in <paramref name="folder"/> as <paramref name="user"/> and waits until it
    /// listens on <paramref name="port"/>. A failed attempt leaves no process behind and says why, with the tail of its
    /// log and whether another process had the port.
    /// </summary>
    public static async Task<(Process? Started, string Failure, bool PortTaken)> TryStartAsync(
        string folder, int port, string binary, ServerUser user, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var log = Path.Combine(folder, LogFileName);
        File.Delete(log);

        // sh sends PgBouncer's log (its standard error) to the file and detaches it from our streams before it becomes PgBouncer.
        var commandLine = user.Wrap(
            "sh", "-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "migrationkit-pgbouncer", log,
            binary, Path.Combine(folder, PgBouncerConfiguration.FileName));
        var process = new Process { StartInfo = ProcessRunner.CreateStartInfo(commandLine, folder) };
        process.Start();
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);

        var waited = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                if (process.HasExited)
                {
                    var tail = ReadLogTail(log);
                    var exitCode = process.ExitCode;
                    process.Dispose();
                    return (null, $"it exited with code {exitCode}.{Environment.NewLine}Last lines of its log:{Environment.NewLine}{tail}",
                        tail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase));
                }

                // PgBouncer logs "process up" once it listens; the connection proves the port is its own.
                if (ReadLog(log).Contains("process up", StringComparison.Ordinal) && await AcceptsAsync(port, cancellationToken).ConfigureAwait(false))
                {
                    return (process, string.Empty, false);
                }

                if (waited.Elapsed > timeout)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    var tail = ReadLogTail(log);
                    process.Dispose();
                    return (null, $"it did not listen within {timeout.TotalSeconds:0.#} s.{Environment.NewLine}Last lines of its log:{Environment.NewLine}{tail}", false);
                }

                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            throw;
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string ReadLogTail(string log)
    {
        var lines = ReadLog(log).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? "(the log is empty or cannot be read)" : string.Join(Environment.NewLine, lines.TakeLast(20));
    }

    private static string ReadLog(string log)
    {
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            // Not made yet (FileNotFoundException is an IOException).
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>
    /// Kills the PgBouncer a dead process left in <paramref name="folder"/> (named in its pid file, and only when that
    /// process's command line names the folder, so a reused process id is left alone). For the janitor; never throws.
    /// </summary>
    public static void KillLeftOver(string folder)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(folder, PgBouncer.PidFileName)).Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || !File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cmdline")).Contains(folder, StringComparison.Ordinal))
            {
                return;
            }

            using var left = Process.GetProcessById(pid);
            left.Kill();
            left.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException
            or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // No pid file, no such process, or not ours to kill.
        }
    }
}
