using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>
/// The Planner sample (Planner.dll, copied beside the tests) in a process of its own, on a free loopback port,
/// with its console output recorded: a thin wrapper over <see cref="ChildProcess"/>.
/// </summary>
internal sealed partial class PlannerProcess : IDisposable
{
    private readonly ChildProcess _child;
    private readonly Task<string> _listening;

    private PlannerProcess(ChildProcess child)
    {
        _child = child;
        _listening = child.WaitForLineAsync(line => ListeningLine().IsMatch(line), "it served anything (\"Now listening on: …\")");
    }

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output => _child.Output;

    /// <summary>The non-empty lines it wrote so far.</summary>
    public IReadOnlyList<string> Lines => [.. _child.Lines.Where(l => l.Length > 0)];

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

    /// <summary>Waits until Kestrel says where it listens, and returns that address; fails if the Planner exits first.</summary>
    public async Task<Uri> WaitUntilServingAsync(TimeSpan timeout) =>
        new(ListeningLine().Match(await _listening.WaitAsync(timeout)).Groups[1].Value);

    /// <summary>Waits for the exit code; kills the process and throws a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _child.WaitForExitAsync(timeout);

    public void Dispose() => _child.Dispose();

    private static PlannerProcess Start(string? executable, string? connectionString, IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        ProcessStartInfo info;
        if (executable is null)
        {
            info = ChildProcess.DotnetExec("Planner.dll", arguments);
            info.WorkingDirectory = AppContext.BaseDirectory;
        }
        else
        {
            info = new ProcessStartInfo(executable, arguments) { WorkingDirectory = Path.GetDirectoryName(executable) };
        }

        info.Environment["ConnectionStrings__Planner"] = connectionString;
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = null;
        foreach ((string name, string? value) in environment)
        {
            info.Environment[name] = value;
        }

        return new PlannerProcess(ChildProcess.Start(info, new ChildProcessOptions { Name = "the Planner" }));
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
