using Npgsql;

namespace MigrationKit.Benchmarks.Tools;

/// <summary>
/// Evolve reading the Flyway-named copy of the up scripts from disk, with its defaults: a transaction per script
/// (CommitEach) and its cluster-mode lock. Evolve has no down scripts.
/// </summary>
internal sealed class EvolveTool : BenchTool
{
    public const string ToolName = "evolve";

    public override string Name => ToolName;

    public override Task ApplyAsync(string connectionString, Workload workload, int expected)
    {
        using var connection = new NpgsqlConnection(connectionString);
        var evolve = new EvolveDb.Evolve(connection, static _ => { })
        {
            Locations = [workload.FlywayFolder],
            IsEraseDisabled = true,
        };
        evolve.Migrate();
        if (evolve.NbMigration != expected)
        {
            throw Wrong($"applied {evolve.NbMigration} migrations where {expected} were expected.");
        }

        return Task.CompletedTask;
    }
}
