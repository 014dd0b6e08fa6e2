using System.Collections.Concurrent;
using System.Globalization;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Support;

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
    private readonly List<ChildProcess> _processes;
    private readonly List<ConcurrentDictionary<string, TaskCompletionSource<RunResult>>> _results;
    private readonly List<System.Text.StringBuilder> _errors;

    private ServedRunners(List<ChildProcess> processes, List<ConcurrentDictionary<string, TaskCompletionSource<RunResult>>> results, List<System.Text.StringBuilder> errors)
    {
        _processes = processes;
        _results = results;
        _errors = errors;
    }

    public int Count => _processes.Count;

    public static async Task<ServedRunners> StartAsync(int count)
    {
        var processes = new List<ChildProcess>(count);
        var results = new List<ConcurrentDictionary<string, TaskCompletionSource<RunResult>>>(count);
        var errors = new List<System.Text.StringBuilder>(count);
        var ready = new List<Task>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var mine = new ConcurrentDictionary<string, TaskCompletionSource<RunResult>>(StringComparer.Ordinal);
                var error = new System.Text.StringBuilder();
                void Error(string line)
                {
                    lock (error)
                    {
                        error.AppendLine(line);
                    }
                }

                void Output(string line)
                {
                    if (line.StartsWith("error ", StringComparison.Ordinal))
                    {
                        Error(line);
                    }
                    else if (line.StartsWith("result ", StringComparison.Ordinal))
                    {
                        string[] parts = line.Split(' ');
                        int code = int.Parse(parts[2], CultureInfo.InvariantCulture);
                        RunResult result = parts.Length == 6
                            ? new RunResult(code, long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture), int.Parse(parts[5], CultureInfo.InvariantCulture))
                            : new RunResult(code, 0, 0, 0);
                        mine.GetOrAdd(parts[1], _ => new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(result);
                    }
                }

                // Long-lived: default JIT tiering, so later rounds run optimised code.
                ChildProcess process = ChildProcess.Start(
                    RunnerProcess.StartInfo(["serve"], shortLived: false),
                    new ChildProcessOptions { Name = "MigrationKit.TestProcess serve", KeepInputOpen = true, OnOutputLine = Output, OnErrorLine = Error });
                processes.Add(process);
                results.Add(mine);
                errors.Add(error);
                ready.Add(process.WaitForLineAsync(line => line == "ready", "it said \"ready\""));
            }

            await Task.WhenAll(ready).WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch
        {
            processes.ForEach(p => p.Dispose());
            throw;
        }

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
        await Task.WhenAll(_processes.Select(p => p.Input.WriteLineAsync(line)));
        await Task.WhenAll(_processes.Select(p => p.Input.FlushAsync()));
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
        foreach (ChildProcess process in _processes)
        {
            process.Input.Close();
        }

        return await Task.WhenAll(_processes.Select(p => p.WaitForExitAsync(TimeSpan.FromSeconds(30))));
    }

    public ValueTask DisposeAsync()
    {
        foreach (ChildProcess process in _processes)
        {
            process.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
