using System.Diagnostics;
using System.Globalization;
using MigrationKit.Benchmarks.Tools;

namespace MigrationKit.Benchmarks;

/// <summary>
/// The benchmark re-invoked as a small process of its own: one no-op start of one tool (<c>--child TOOL</c>) or one
/// run of the seed migration (<c>--child memory</c>). The parent times it from process start to exit. The connection
/// string comes in <see cref="ConnectionVariable"/>, never on the command line, where any user could read it.
/// </summary>
internal static class ChildMode
{
    public const string ConnectionVariable = "MIGRATIONKIT_BENCH_CONNECTION";
    public const string MemoryTool = "memory";

    public static async Task<int> RunAsync(Arguments arguments)
    {
        string connectionString = Environment.GetEnvironmentVariable(ConnectionVariable)
            ?? throw new InvalidOperationException($"{ConnectionVariable} is not set.");
        if (arguments.Child == MemoryTool)
        {
            return await MemoryAsync(connectionString, arguments.Folder!);
        }

        var workload = new Workload(arguments.Folder!, arguments.FlywayFolder ?? arguments.Folder!, arguments.Count);
        await BenchTool.ByName(arguments.Child!).StartAsync(connectionString, workload);

        // The CPU time this process used, user and system: less sensitive than wall time to other load on the machine.
        Console.WriteLine(Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Applies the seed folder with MigrationKit and prints the baseline and peak resident set.</summary>
    private static async Task<int> MemoryAsync(string connectionString, string folder)
    {
        ProcessMemory before = ProcessMemory.Read();
        long started = Stopwatch.GetTimestamp();
        MigrationReport report = await MigrationKitTool.CreateRunner(connectionString, folder).UpAsync();
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        ProcessMemory after = ProcessMemory.Read();
        if (report.Executed.Count != 2)
        {
            await Console.Error.WriteLineAsync($"memory: applied {report.Executed.Count} migrations where 2 were expected.");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{before.PeakResidentBytes} {after.PeakResidentBytes} {elapsed:F0}"));
        return 0;
    }
}
