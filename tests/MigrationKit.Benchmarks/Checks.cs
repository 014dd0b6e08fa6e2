using Npgsql;

namespace MigrationKit.Benchmarks;

/// <summary>Correctness checks after a timed operation; a failed one stops the benchmark.</summary>
internal static class Checks
{
    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static Task<long> CountBenchTablesAsync(string connectionString) => ScalarAsync(
        connectionString,
        $"SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename LIKE '{MigrationFolders.TablePrefix.Replace("_", "\\_", StringComparison.Ordinal)}%'");

    public static async Task ExpectBenchTablesAsync(string connectionString, long expected, string after)
    {
        long tables = await CountBenchTablesAsync(connectionString);
        if (tables != expected)
        {
            throw new BenchmarkFailedException($"After {after}, the database holds {tables} generated tables where {expected} were expected.");
        }
    }
}
