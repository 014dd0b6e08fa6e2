using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace MigrationKit.Benchmarks;

/// <summary>Starts this benchmark again as a child process and times it from start to exit.</summary>
internal static class ChildProcess
{
    public static async Task<(double Milliseconds, string Output)> RunAsync(
        string connectionString, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        string processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var start = new ProcessStartInfo(processPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // Started as `dotnet MigrationKit.Benchmarks.dll`: the child needs the assembly too.
        if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[ChildMode.ConnectionVariable] = connectionString;
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        long started = Stopwatch.GetTimestamp();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("The child process did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            string said = await errors + await output;
            throw new BenchmarkFailedException(string.Create(CultureInfo.InvariantCulture,
                $"The child process `{string.Join(' ', arguments)}` exited with {process.ExitCode}: {said}"));
        }

        return (elapsed, await output);
    }
}
