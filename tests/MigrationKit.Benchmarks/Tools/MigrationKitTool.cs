using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;

namespace MigrationKit.Benchmarks.Tools;

/// <summary>MigrationKit as an application uses it without a host: a new source, store and runner per run.</summary>
internal sealed class MigrationKitTool : BenchTool
{
    public const string ToolName = "migrationkit";

    public override string Name => ToolName;

    public override bool CanDown => true;

    public static MigrationRunner CreateRunner(string connectionString, string folder)
    {
        var options = new MigrationOptions { ConnectionString = connectionString };
        return new MigrationRunner(new FileSystemMigrationSource(folder), new PostgresMigrationStore(options), options);
    }

    public override async Task ApplyAsync(string connectionString, Workload workload, int expected)
    {
        MigrationReport report = await CreateRunner(connectionString, workload.GolangMigrateFolder).UpAsync();
        if (report.Executed.Count != expected)
        {
            throw Wrong($"up applied {report.Executed.Count} migrations where {expected} were expected.");
        }
    }

    public override async Task DownAllAsync(string connectionString, Workload workload)
    {
        MigrationReport report = await CreateRunner(connectionString, workload.GolangMigrateFolder).DownAsync(workload.Count);
        // All reverted: no version is applied, which is null (0 is a version; ADR 7).
        if (report.Executed.Count != workload.Count || report.EndVersion is not null)
        {
            throw Wrong($"down reverted {report.Executed.Count} of {workload.Count} migrations and ended at version {MigrationVersion.Format(report.EndVersion)}.");
        }
    }

    /// <summary><c>status</c>: the source read whole, the history read, compared.</summary>
    public static async Task StatusAsync(string connectionString, Workload workload)
    {
        MigrationStatus status = await CreateRunner(connectionString, workload.GolangMigrateFolder).GetStatusAsync();
        if (status.Applied.Count != workload.Count || status.Pending.Count != 0)
        {
            throw new BenchmarkFailedException($"{ToolName}: status shows {status.Applied.Count} applied and {status.Pending.Count} pending of {workload.Count}.");
        }
    }
}
