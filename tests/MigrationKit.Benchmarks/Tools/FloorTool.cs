using System.Globalization;
using Npgsql;

namespace MigrationKit.Benchmarks.Tools;

/// <summary>
/// The physical floor: plain Npgsql on one connection. Each migration is one command, one round trip:
/// <c>BEGIN; script; INSERT INTO floor_history; COMMIT</c>. The no-op start opens a connection and reads the history
/// with one SELECT. No lock, no checks, no parsing of our own: what no runner can beat.
/// </summary>
internal sealed class FloorTool : BenchTool
{
    public const string ToolName = "floor";

    private const string CreateHistory = "CREATE TABLE IF NOT EXISTS floor_history (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";

    public override string Name => ToolName;

    public override bool CanDown => true;

    public override async Task ApplyAsync(string connectionString, Workload workload, int expected)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(CreateHistory, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        int applied = 0;
        foreach ((long version, string path) in Scripts(workload.GolangMigrateFolder, ".up.sql"))
        {
            string script = await File.ReadAllTextAsync(path);
            await using var command = new NpgsqlCommand(
                string.Create(CultureInfo.InvariantCulture, $"BEGIN;\n{script}\n;INSERT INTO floor_history (version) VALUES ({version});\nCOMMIT;"),
                connection);
            await command.ExecuteNonQueryAsync();
            applied++;
        }

        if (applied != expected)
        {
            throw Wrong($"applied {applied} migrations where {expected} were expected.");
        }
    }

    public override async Task StartAsync(string connectionString, Workload workload)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM floor_history ORDER BY version", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        int rows = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetInt64(0);
            rows++;
        }

        if (rows != workload.Count)
        {
            throw Wrong($"the history holds {rows} rows where {workload.Count} were expected.");
        }
    }

    public override async Task DownAllAsync(string connectionString, Workload workload)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        int reverted = 0;
        foreach ((long version, string path) in Scripts(workload.GolangMigrateFolder, ".down.sql").Reverse())
        {
            string script = await File.ReadAllTextAsync(path);
            await using var command = new NpgsqlCommand(
                string.Create(CultureInfo.InvariantCulture, $"BEGIN;\n{script}\n;DELETE FROM floor_history WHERE version = {version};\nCOMMIT;"),
                connection);
            await command.ExecuteNonQueryAsync();
            reverted++;
        }

        if (reverted != workload.Count)
        {
            throw Wrong($"reverted {reverted} migrations where {workload.Count} were expected.");
        }
    }

    /// <summary>The scripts of one direction, in version order (the names are zero-padded).</summary>
    private static IEnumerable<(long Version, string Path)> Scripts(string folder, string suffix)
    {
        string[] paths = Directory.GetFiles(folder, "*" + suffix);
        Array.Sort(paths, StringComparer.Ordinal);
        return paths.Select(p =>
        {
            string name = Path.GetFileName(p);
            return (long.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture), p);
        });
    }
}
