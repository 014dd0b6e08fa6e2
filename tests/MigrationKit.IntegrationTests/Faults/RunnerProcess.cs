using System.Diagnostics;
using System.Text;

namespace MigrationKit.IntegrationTests.Faults;

/// <summary>
/// A runner in a process of its own (MigrationKit.TestProcess), started cold, for the tests that kill it or start many
/// at once. Like Support/ChildProcess, with the JIT set for a process that lives a second or two: no tiered PGO and no
/// call counting, so no method is compiled twice. That halves its CPU (from about 1.5 s to 0.8 s each when sixteen start
/// together on two cores) and changes nothing the engine does.
/// </summary>
public sealed class RunnerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _output = new();

    private RunnerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data, ready: e.Data == "ready");
        _process.ErrorDataReceived += (_, e) => Append(e.Data, ready: false);
    }

    /// <summary>Gets everything the process wrote so far, standard output and error interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Gets a task that completes when the process says "ready".</summary>
    public Task Ready => _ready.Task;

    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, bool shortLived, IReadOnlyList<string>? prefix = null, string? directory = null)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(prefix is { Count: > 0 } ? prefix[0] : dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (prefix is { Count: > 0 })
        {
            foreach (string part in prefix.Skip(1))
            {
                info.ArgumentList.Add(part);
            }

            info.ArgumentList.Add(dotnet);
        }

        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(directory ?? AppContext.BaseDirectory, "MigrationKit.TestProcess.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (shortLived)
        {
            info.Environment["DOTNET_TieredPGO"] = "0";
            info.Environment["DOTNET_TC_CallCounting"] = "0";
        }

        return info;
    }

    public static RunnerProcess Start(params string[] arguments) => StartWithPrefix(null, null, arguments);

    /// <summary>
    /// Starts the runner through a command prefix, such as <c>setpriv --reuid=nobody …</c> to run it as another user,
    /// from <paramref name="directory"/> (default: this test assembly's folder).
    /// </summary>
    public static RunnerProcess StartWithPrefix(IReadOnlyList<string>? prefix, string? directory, params string[] arguments)
    {
        var child = new RunnerProcess(new Process { StartInfo = StartInfo(arguments, shortLived: true, prefix, directory) });
        child._process.Start();
        child._process.StandardInput.Close();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: no finally block, no cleanup, no goodbye to the server.</summary>
    public void KillHard()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }

    private void Append(string? line, bool ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ready)
        {
            _ready.TrySetResult();
        }
    }
}
