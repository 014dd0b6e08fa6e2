using System.Diagnostics;
using System.Text;

namespace MigrationKit.Cli.Tests.Support;

/// <summary>
/// The tool in a process of its own, as a user runs it: <c>dotnet exec MigrationKit.Cli.dll …</c> with the build
/// output copied next to the tests (or the native binary, under the native target: see <see cref="CliTarget"/>), its own environment (no inherited DATABASE_URL or NO_COLOR), standard input
/// given or closed, standard output and error captured.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly Task<string> _out;
    private readonly Task<string> _error;
    private readonly StringBuilder _outSoFar = new();
    private readonly StringBuilder _errorSoFar = new();

    private CliProcess(Process process)
    {
        _process = process;
        _out = ReadAsync(process.StandardOutput, _outSoFar);
        _error = ReadAsync(process.StandardError, _errorSoFar);
    }

    public int Id => _process.Id;

    /// <summary>Gets what the tool wrote to standard output so far.</summary>
    public string OutputSoFar
    {
        get
        {
            lock (_outSoFar)
            {
                return _outSoFar.ToString();
            }
        }
    }

    /// <summary>Gets what the tool wrote to standard error so far.</summary>
    public string ErrorSoFar
    {
        get
        {
            lock (_errorSoFar)
            {
                return _errorSoFar.ToString();
            }
        }
    }

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
        string program = CliTarget.IsNative ? CliTarget.RequireNativeBinary() : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
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

        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.StandardOutputEncoding = Encoding.UTF8;
        info.StandardErrorEncoding = Encoding.UTF8;
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

        var process = new Process { StartInfo = info };
        process.Start();
        var cli = new CliProcess(process);
        if (start.Input is not null)
        {
            process.StandardInput.Write(start.Input);
        }

        if (!start.KeepInputOpen)
        {
            process.StandardInput.Close();
        }

        return cli;
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does (or another signal, such as TERM).</summary>
    public async Task InterruptAsync(string signal = "INT")
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>SIGKILL: no finally block, no cleanup, no goodbye to the server.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"migrationkit did not exit within {timeout}. Output so far:\n{OutputSoFar}");
        }

        return new CliResult(_process.ExitCode, await _out, await _error);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static async Task<string> ReadAsync(StreamReader reader, StringBuilder soFar)
    {
        char[] buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (soFar)
            {
                soFar.Append(buffer, 0, read);
            }
        }

        lock (soFar)
        {
            return soFar.ToString();
        }
    }
}
