using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>
/// The Planner sample (Planner.dll, copied beside the tests) in a process of its own, on a free loopback port,
/// with its console output recorded.
/// </summary>
internal sealed partial class PlannerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PlannerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException("The Planner exited before it served anything:\n" + Output));
    }

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
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

    /// <summary>The lines it wrote so far.</summary>
    public IReadOnlyList<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

    /// <summary>Starts the Planner with ConnectionStrings__Planner set to <paramref name="connectionString"/> (unless null), in Production.</summary>
    public static PlannerProcess Start(string? connectionString, params string[] arguments) =>
        Start(connectionString, new Dictionary<string, string?>(), arguments);

    /// <summary>Starts the Planner as <see cref="Start(string?, string[])"/> does, with more environment variables.</summary>
    public static PlannerProcess Start(string? connectionString, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        Start(null, connectionString, environment, arguments);

    /// <summary>
    /// Starts a native build of the Planner (published with PublishAot=true) as <see cref="Start(string?, string[])"/>
    /// starts the JIT one, with no DOTNET_ variable in its environment.
    /// </summary>
    public static PlannerProcess StartNative(string executable, string? connectionString, params string[] arguments)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => name.StartsWith("DOTNET_", StringComparison.Ordinal))
            .ToDictionary(name => name, _ => (string?)null);
        return Start(executable, connectionString, environment, arguments);
    }

    private static PlannerProcess Start(string? executable, string? connectionString, IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        var info = new ProcessStartInfo(executable ?? Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = executable is null ? AppContext.BaseDirectory : Path.GetDirectoryName(executable),
        };
        if (executable is null)
        {
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Planner.dll"));
        }

        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["ConnectionStrings__Planner"] = connectionString;
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = null;
        foreach ((string name, string? value) in environment)
        {
            info.Environment[name] = value;
        }

        var planner = new PlannerProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        planner._process.Start();
        planner._process.BeginOutputReadLine();
        planner._process.BeginErrorReadLine();
        return planner;
    }

    /// <summary>Waits until Kestrel says where it listens, and returns that address.</summary>
    public async Task<Uri> WaitUntilServingAsync(TimeSpan timeout) => await _listening.Task.WaitAsync(timeout);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }
}
