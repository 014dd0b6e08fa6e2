using DbUp;
using DbUp.Engine;
using DbUp.ScriptProviders;

namespace MigrationKit.Benchmarks.Tools;

/// <summary>
/// DbUp (dbup-postgresql) reading the up scripts from disk, one transaction per script (its journal row is written in
/// the same transaction). DbUp has no down scripts.
/// </summary>
internal sealed class DbUpTool : BenchTool
{
    public const string ToolName = "dbup";

    public override string Name => ToolName;

    public override Task ApplyAsync(string connectionString, Workload workload, int expected)
    {
        UpgradeEngine engine = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsFromFileSystem(workload.GolangMigrateFolder, new FileSystemScriptOptions
            {
                Filter = path => path.EndsWith(".up.sql", StringComparison.Ordinal),
            })
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        DatabaseUpgradeResult result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            throw new BenchmarkFailedException($"{Name}: the upgrade failed.", result.Error);
        }

        int applied = result.Scripts.Count();
        if (applied != expected)
        {
            throw Wrong($"applied {applied} scripts where {expected} were expected.");
        }

        return Task.CompletedTask;
    }
}
