using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MigrationKit.Tests.Shared;

/// <summary>
/// A process the tests start, the one place that starts, captures, waits for and kills one: standard output and error
/// captured exactly as written (and as lines, interleaved, for the tests that wait for a line), standard input given or
/// closed, every wait bounded by a deadline, and the whole process tree killed when it runs over or is disposed.
/// The specialised runners (the CLI, MigrationKit.TestProcess, the Planner sample) are thin wrappers over it.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ChildProcessOptions _options;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, string What, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly Task _outDone;
    private readonly Task _errorDone;
    private bool _ended;

    private ChildProcess(Process process, ChildProcessOptions options)
    {
        _process = process;
        _options = options;
        _outDone = PumpAsync(process.StandardOutput, _out, options.OnOutputLine);
        _errorDone = PumpAsync(process.StandardError, _error, options.OnErrorLine);
        _ = Task.WhenAll(_outDone, _errorDone).ContinueWith(_ => EndLines(), TaskScheduler.Default);
    }

    /// <summary>Gets the process id.</summary>
    public int Id => _process.Id;

    /// <summary>Gets a value indicating whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Gets standard input, for a process started with <see cref="ChildProcessOptions.KeepInputOpen"/>.</summary>
    public StreamWriter Input => _process.StandardInput;

    /// <summary>Gets what the process wrote to standard output so far, exactly.</summary>
    public string OutSoFar => Read(_out);

    /// <summary>Gets what the process wrote to standard error so far, exactly.</summary>
    public string ErrorSoFar => Read(_error);

    /// <summary>Gets every complete line the process wrote so far, standard output and error interleaved, one per line.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                var text = new StringBuilder();
                foreach (string line in _lines)
                {
                    text.AppendLine(line);
                }

                return text.ToString();
            }
        }
    }

    /// <summary>Gets the complete lines the process wrote so far, standard output and error interleaved.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>A start of <c>dotnet exec</c> <paramref name="assembly"/> (a path, or a file name beside the tests) with <paramref name="arguments"/>.</summary>
    public static ProcessStartInfo DotnetExec(string assembly, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Dotnet);
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Gets the dotnet host the tests run on (DOTNET_HOST_PATH), else <c>dotnet</c> from the PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>Starts <paramref name="info"/> with its three streams redirected (UTF-8); the caller disposes it.</summary>
    public static ChildProcess Start(ProcessStartInfo info, ChildProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        options ??= new ChildProcessOptions();
        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.StandardOutputEncoding = Encoding.UTF8;
        info.StandardErrorEncoding = Encoding.UTF8;
        var process = new Process { StartInfo = info };
        process.Start();
        var child = new ChildProcess(process, options);
        if (options.Input is not null)
        {
            process.StandardInput.Write(options.Input);
        }

        if (!options.KeepInputOpen)
        {
            process.StandardInput.Close();
        }

        return child;
    }

    /// <summary>Runs <paramref name="info"/> to its end (killed, with a <see cref="TimeoutException"/>, after <paramref name="timeout"/>).</summary>
    public static async Task<ChildResult> RunAsync(ProcessStartInfo info, TimeSpan timeout, ChildProcessOptions? options = null)
    {
        using ChildProcess child = Start(info, options);
        return await child.WaitAsync(timeout);
    }

    /// <summary>
    /// Waits for the first line (of standard output or error, already written or still to come) that
    /// <paramref name="match"/> accepts, and returns it; fails if the process closes its output without one.
    /// </summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, string what)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_lines)
        {
            foreach (string line in _lines)
            {
                if (match(line))
                {
                    return Task.FromResult(line);
                }
            }

            if (_ended)
            {
                return Task.FromException<string>(Ended(what));
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, what, found));
            return found.Task;
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code; kills it and throws a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout) => (await WaitAsync(timeout)).ExitCode;

    /// <summary>Waits for the process to exit and its output to end; kills it and throws a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<ChildResult> WaitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(_outDone, _errorDone).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            KillHard();
            throw new TimeoutException($"{_options.Name} did not exit within {timeout}. Its output so far:\n{Output}");
        }

        return new ChildResult(_process.ExitCode, OutSoFar, ErrorSoFar);
    }

    /// <summary>Sends a signal by name (<c>kill -INT</c>, as Ctrl+C in a terminal does, or TERM, …).</summary>
    public async Task SignalAsync(string signal)
    {
        var info = new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false };
        using Process kill = Process.Start(info)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await kill.WaitForExitAsync(deadline.Token);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>SIGKILL to the whole process tree: no finally block, no cleanup, no goodbye to the server.</summary>
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

    /// <summary>Kills the process tree if it still runs, waits (briefly) for it to go, and releases it.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder exact, Action<string>? onLine)
    {
        char[] buffer = new char[4096];
        var partial = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (exact)
            {
                exact.Append(buffer, 0, read);
            }

            for (int i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    AddLine(partial.ToString().TrimEnd('\r'), onLine);
                    partial.Clear();
                }
                else
                {
                    partial.Append(buffer[i]);
                }
            }
        }

        if (partial.Length > 0)
        {
            AddLine(partial.ToString().TrimEnd('\r'), onLine);
        }
    }

    private void AddLine(string line, Action<string>? onLine)
    {
        onLine?.Invoke(line);
        List<TaskCompletionSource<string>> found = [];
        lock (_lines)
        {
            _lines.Add(line);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    found.Add(_waiters[i].Found);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (TaskCompletionSource<string> waiter in found)
        {
            waiter.TrySetResult(line);
        }
    }

    private void EndLines()
    {
        List<(Func<string, bool> Match, string What, TaskCompletionSource<string> Found)> left;
        lock (_lines)
        {
            _ended = true;
            left = [.. _waiters];
            _waiters.Clear();
        }

        foreach ((_, string what, TaskCompletionSource<string> found) in left)
        {
            found.TrySetException(Ended(what));
        }
    }

    private InvalidOperationException Ended(string what) =>
        new($"{_options.Name} closed its output before {what}. Its output:\n{Output}");
}
