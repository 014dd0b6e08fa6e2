using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace MigrationKit.IntegrationTests.Faults;

/// <summary>What one runner process reported for one run: its exit code, and the versions and count when it succeeded.</summary>
public sealed record RunResult(int Code, long From, long To, int Executed);

/// <summary>
/// Runner processes (MigrationKit.TestProcess serve) started once and released together for each round: every round
/// is a new runner and store in each process, against the database the round names, all sent at the same moment.
/// A process started per round would pay its start-up (about 0.6 s of CPU, mostly JIT) every time and reach the lock
/// spread over a second or more; warm processes race for it within milliseconds, which is the harder case.
/// </summary>
public sealed class ServedRunners : IAsyncDisposable
{
    private readonly List<Process> _processes;
    private readonly List<ConcurrentDictionary<string, TaskCompletionSource<RunResult>>> _results;
    private readonly List<System.Text.StringBuilder> _errors;

    private ServedRunners(List<Process> processes, List<ConcurrentDictionary<string, TaskCompletionSource<RunResult>>> results, List<System.Text.StringBuilder> errors)
    {
        _processes = processes;
        _results = results;
        _errors = errors;
    }

    public int Count => _processes.Count;

    public static async Task<ServedRunners> StartAsync(int count)
    {
        var processes = new List<Process>(count);
        var results = new List<ConcurrentDictionary<string, TaskCompletionSource<RunResult>>>(count);
        var errors = new List<System.Text.StringBuilder>(count);
        var ready = new List<Task>(count);
        for (int i = 0; i < count; i++)
        {
            // Long-lived: default JIT tiering, so later rounds run optimised code.
            ProcessStartInfo info = RunnerProcess.StartInfo(["serve"], shortLived: false);
            var process = new Process { StartInfo = info };
            var mine = new ConcurrentDictionary<string, TaskCompletionSource<RunResult>>(StringComparer.Ordinal);
            var error = new System.Text.StringBuilder();
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == "ready")
                {
                    started.TrySetResult();
                }
                else if (e.Data?.StartsWith("error ", StringComparison.Ordinal) == true)
                {
                    lock (error)
                    {
                        error.AppendLine(e.Data);
                    }
                }
                else if (e.Data?.StartsWith("result ", StringComparison.Ordinal) == true)
                {
                    string[] parts = e.Data.Split(' ');
                    int code = int.Parse(parts[2], CultureInfo.InvariantCulture);
                    RunResult result = parts.Length == 6
                        ? new RunResult(code, long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture), int.Parse(parts[5], CultureInfo.InvariantCulture))
                        : new RunResult(code, 0, 0, 0);
                    mine.GetOrAdd(parts[1], _ => new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(result);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (error)
                    {
                        error.AppendLine(e.Data);
                    }
                }
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            processes.Add(process);
            results.Add(mine);
            errors.Add(error);
            ready.Add(started.Task);
        }

        await Task.WhenAll(ready).WaitAsync(TimeSpan.FromMinutes(2));
        return new ServedRunners(processes, results, errors);
    }

    /// <summary>
    /// Sends the same run to every process at once and waits for every result. <paramref name="options"/> are the
    /// runner's options as MigrationKit.TestProcess takes them (e.g. <c>--lock-mode Lease --lease-timeout-ms 2000</c>).
    /// </summary>
    public async Task<RunResult[]> RunAllAsync(string id, string connectionString, string folder, TimeSpan timeout, string? options = null)
    {
        var waits = new List<Task<RunResult>>(Count);
        for (int i = 0; i < Count; i++)
        {
            waits.Add(_results[i].GetOrAdd(id, _ => new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously)).Task);
        }

        string line = $"{id}\t{connectionString}\t{folder}\tup" + (string.IsNullOrWhiteSpace(options) ? string.Empty : "\t" + options);
        await Task.WhenAll(_processes.Select(p => p.StandardInput.WriteLineAsync(line)));
        await Task.WhenAll(_processes.Select(p => p.StandardInput.FlushAsync()));
        return await Task.WhenAll(waits).WaitAsync(timeout);
    }

    /// <summary>The messages of failed runs ("error &lt;id&gt; &lt;message&gt;"), and whatever the processes wrote to standard error.</summary>
    public string Errors => string.Join("\n", _errors.Select(e =>
    {
        lock (e)
        {
            return e.ToString();
        }
    }));

    /// <summary>Ends the input and returns every process's exit code.</summary>
    public async Task<int[]> StopAsync()
    {
        foreach (Process process in _processes)
        {
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(_processes.Select(p => p.WaitForExitAsync(timeout.Token)));
        return [.. _processes.Select(p => p.ExitCode)];
    }

    public ValueTask DisposeAsync()
    {
        foreach (Process process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
