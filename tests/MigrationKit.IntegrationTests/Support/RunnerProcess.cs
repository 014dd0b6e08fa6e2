using System.Diagnostics;

namespace MigrationKit.IntegrationTests.Support;

/// <summary>
/// A runner in a process of its own (MigrationKit.TestProcess), started cold, for the tests that kill it or start many
/// at once: a thin wrapper over <see cref="ChildProcess"/>, with the JIT set for a process that lives a second or two:
/// no tiered PGO and no call counting, so no method is compiled twice. That halves its CPU (from about 1.5 s to 0.8 s
/// each when sixteen start together on two cores) and changes nothing the engine does.
/// </summary>
public sealed class RunnerProcess : IDisposable
{
    private readonly ChildProcess _child;

    private RunnerProcess(ChildProcess child)
    {
        _child = child;
        Ready = child.WaitForLineAsync(line => line == "ready", "it said \"ready\"");
    }

    /// <summary>Gets everything the process wrote so far, standard output and error interleaved.</summary>
    public string Output => _child.Output;

    /// <summary>Gets a task that completes when the process says "ready" (and fails if it ends without saying it).</summary>
    public Task Ready { get; }

    /// <summary>
    /// A start of MigrationKit.TestProcess with <paramref name="arguments"/>, from <paramref name="directory"/> (default: this
    /// test assembly's folder), through a command <paramref name="prefix"/> when given; <paramref name="shortLived"/> sets the JIT as above.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, bool shortLived, IReadOnlyList<string>? prefix = null, string? directory = null)
    {
        ProcessStartInfo info = ChildProcess.DotnetExec(Path.Combine(directory ?? AppContext.BaseDirectory, "MigrationKit.TestProcess.dll"), arguments);
        if (prefix is { Count: > 0 })
        {
            var prefixed = new ProcessStartInfo(prefix[0]);
            foreach (string part in prefix.Skip(1))
            {
                prefixed.ArgumentList.Add(part);
            }

            prefixed.ArgumentList.Add(info.FileName);
            foreach (string argument in info.ArgumentList)
            {
                prefixed.ArgumentList.Add(argument);
            }

            info = prefixed;
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
    public static RunnerProcess StartWithPrefix(IReadOnlyList<string>? prefix, string? directory, params string[] arguments) =>
        new(ChildProcess.Start(StartInfo(arguments, shortLived: true, prefix, directory), new ChildProcessOptions { Name = "MigrationKit.TestProcess" }));

    /// <summary>SIGKILL: no finally block, no cleanup, no goodbye to the server.</summary>
    public void KillHard() => _child.KillHard();

    /// <summary>Waits for the exit code; kills the process and throws a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _child.WaitForExitAsync(timeout);

    public void Dispose() => _child.Dispose();
}
