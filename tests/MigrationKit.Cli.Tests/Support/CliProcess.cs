using System.Diagnostics;

namespace MigrationKit.Cli.Tests.Support;

/// <summary>
/// The tool in a process of its own, as a user runs it: <c>dotnet exec MigrationKit.Cli.dll …</c> with the build
/// output copied next to the tests (or the native binary, under the native target: see <see cref="CliTarget"/>), its
/// own environment (no inherited DATABASE_URL or NO_COLOR), standard input given or closed, standard output and error
/// captured. A thin wrapper over <see cref="ChildProcess"/>.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private readonly ChildProcess _child;

    private CliProcess(ChildProcess child) => _child = child;

    public int Id => _child.Id;

    /// <summary>Gets what the tool wrote to standard output so far.</summary>
    public string OutputSoFar => _child.OutSoFar;

    /// <summary>Gets what the tool wrote to standard error so far.</summary>
    public string ErrorSoFar => _child.ErrorSoFar;

    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "MigrationKit.Cli.dll");

    /// <summary>Runs the tool to its end and returns what it did.</summary>
    public static async Task<CliResult> RunAsync(CliStart start, params string[] args)
    {
        using CliProcess process = Start(start, args);
        return await process.WaitAsync(RunTimeout);
    }

    /// <summary>Starts the tool; the caller waits for it.</summary>
    public static CliProcess Start(CliStart start, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(start);
        string program = CliTarget.IsNative ? CliTarget.RequireNativeBinary() : ChildProcess.Dotnet;
        ProcessStartInfo info;
        if (start.DefaultSigInt)
        {
            // A test runner started from a non-interactive shell may have inherited SIGINT as ignored, and an ignored
            // signal stays ignored across exec: env resets it, as a terminal's foreground process has it.
            info = new ProcessStartInfo("env");
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(program);
        }
        else
        {
            info = new ProcessStartInfo(program);
        }

        if (!CliTarget.IsNative)
        {
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(ToolPath);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.WorkingDirectory = start.WorkingDirectory ?? AppContext.BaseDirectory;
        info.Environment.Remove("DATABASE_URL");
        info.Environment.Remove("NO_COLOR");
        info.Environment.Remove("PGPASSWORD");
        foreach ((string name, string? value) in start.Environment)
        {
            info.Environment[name] = value;
        }

        if (start.DatabaseUrl is not null)
        {
            info.Environment["DATABASE_URL"] = start.DatabaseUrl;
        }

        return new CliProcess(ChildProcess.Start(info, new ChildProcessOptions { Name = "migrationkit", Input = start.Input, KeepInputOpen = start.KeepInputOpen }));
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does (or another signal, such as TERM).</summary>
    public Task InterruptAsync(string signal = "INT") => _child.SignalAsync(signal);

    /// <summary>SIGKILL: no finally block, no cleanup, no goodbye to the server.</summary>
    public void KillHard() => _child.KillHard();

    /// <summary>Waits for the tool to exit; kills it and throws a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        ChildResult result = await _child.WaitAsync(timeout);
        return new CliResult(result.ExitCode, result.Out, result.Error);
    }

    public void Dispose() => _child.Dispose();
}
