using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MigrationKit.Testing.Internal;

/// <summary>The exit code and captured output of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Gets the standard output and standard error, trimmed, for error messages.</summary>
    public string CombinedOutput => (StandardOutput.Trim() + Environment.NewLine + StandardError.Trim()).Trim();
}

/// <summary>Runs short-lived helper processes (initdb, pg_ctl, id, chown, cp) and captures their output.</summary>
internal static class ProcessRunner
{
    /// <summary>
    /// Runs <paramref name="commandLine"/> (program first) to completion with its standard streams redirected,
    /// killing it when <paramref name="timeout"/> passes or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        IReadOnlyList<string> commandLine,
        string? workingDirectory,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        using var process = new Process { StartInfo = CreateStartInfo(commandLine, workingDirectory) };
        process.Start();
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{Describe(commandLine)}' did not finish within {timeout.TotalSeconds:0.#} s."));
        }

        return new ProcessResult(
            process.ExitCode,
            await output.ConfigureAwait(false),
            await error.ConfigureAwait(false));
    }

    /// <summary>
    /// Runs <paramref name="commandLine"/> and throws an <see cref="InvalidOperationException"/> with its output when it fails.
    /// </summary>
    public static async Task<ProcessResult> RunCheckedAsync(
        IReadOnlyList<string> commandLine,
        string? workingDirectory,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(commandLine, workingDirectory, timeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{Describe(commandLine)}' failed with exit code {result.ExitCode}: {result.CombinedOutput}"));
        }

        return result;
    }

    /// <summary>Creates start information with every standard stream redirected, so no child inherits the caller's.</summary>
    public static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> commandLine, string? workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var startInfo = new ProcessStartInfo(commandLine[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }

        for (var i = 1; i < commandLine.Count; i++)
        {
            startInfo.ArgumentList.Add(commandLine[i]);
        }

        return startInfo;
    }

    /// <summary>Finds <paramref name="name"/> in the folders of <c>PATH</c>; <see langword="null"/> when absent.</summary>
    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Formats a command line for messages.</summary>
    public static string Describe(IReadOnlyList<string> commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var builder = new StringBuilder();
        foreach (var argument in commandLine)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(argument.Length == 0 || argument.Contains(' ', StringComparison.Ordinal) ? $"'{argument}'" : argument);
        }

        return builder.ToString();
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has exited meanwhile.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // It could not be killed; nothing more to do.
        }
    }
}
