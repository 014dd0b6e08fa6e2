using System.Collections.Concurrent;
using MigrationKit.Fleet;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Fleet;

/// <summary>
/// What one fleet test makes on the shards: databases under a prefix of its own (so discovery by pattern finds only
/// them), schemas in a database of its own; all dropped when disposed.
/// </summary>
public sealed class FleetFixture : IAsyncDisposable
{
    private readonly ConcurrentBag<ThrowawayDatabase> _databases = [];

    public FleetFixture()
    {
        Prefix = "mk_fl_" + Guid.NewGuid().ToString("N")[..8] + "_";
    }

    /// <summary>Gets the prefix of every database this test makes.</summary>
    public string Prefix { get; }

    /// <summary>Gets the LIKE pattern that matches exactly this test's databases.</summary>
    public string Pattern => Prefix.Replace("_", "\\_", StringComparison.Ordinal) + "%";

    public static string Planner => MigrationFolder.PlannerMigrations;

    /// <summary>Makes <paramref name="perServer"/> empty databases on each of the servers.</summary>
    public async Task<IReadOnlyList<ThrowawayDatabase>> CreateDatabasesAsync(IReadOnlyList<PostgresServer> servers, int perServer)
    {
        var made = new List<ThrowawayDatabase>();
        foreach (PostgresServer server in servers)
        {
            ThrowawayDatabase[] some = await Task.WhenAll(Enumerable.Range(0, perServer).Select(_ => server.CreateEmptyDatabaseAsync(Prefix)));
            foreach (ThrowawayDatabase database in some)
            {
                _databases.Add(database);
                made.Add(database);
            }
        }

        return made;
    }

    /// <summary>Every database this test made on the servers, found as the command line finds them: by pattern.</summary>
    public async Task<IReadOnlyList<FleetTarget>> DiscoverDatabasesAsync(IReadOnlyList<PostgresServer> servers)
    {
        var targets = new List<FleetTarget>();
        foreach (PostgresServer server in servers)
        {
            targets.AddRange(await FleetTargets.DiscoverDatabasesAsync(server.ConnectionString, Pattern));
        }

        return FleetTargets.Order(targets);
    }

    /// <summary>Makes one empty database with <paramref name="schemas"/> schemas named <c>tenant_0001</c>… (or as given).</summary>
    public async Task<ThrowawayDatabase> CreateSchemasAsync(PostgresServer server, int schemas)
    {
        ThrowawayDatabase database = await server.CreateEmptyDatabaseAsync(Prefix);
        _databases.Add(database);
        await CreateSchemasAsync(database, Enumerable.Range(1, schemas).Select(i => $"tenant_{i:D4}"));
        return database;
    }

    public static async Task CreateSchemasAsync(ThrowawayDatabase database, IEnumerable<string> names)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (string name in names)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"CREATE SCHEMA {Quote(name)}"));
        }

        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>Breaks a tenant's migration 3 of the Planner (CREATE TABLE steps): the table is already there.</summary>
    public static Task BreakAsync(string connectionString, string schema = "public") =>
        Db.ExecuteAsync(connectionString, $"CREATE SCHEMA IF NOT EXISTS {Quote(schema)}; CREATE TABLE {Quote(schema)}.steps (id int)");

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The history of a target as (version, dirty) pairs, or none when it has no history table.</summary>
    public static async Task<List<(long Version, bool Dirty)>> HistoryAsync(string connectionString, string schema = "public")
    {
        bool exists = await Db.ScalarAsync<bool>(connectionString, "SELECT to_regclass(quote_ident($1) || '.schema_migrations') IS NOT NULL", schema);
        return exists ? await Db.HistoryAsync(connectionString, $"{Quote(schema)}.schema_migrations") : [];
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Task.WhenAll(_databases.Select(d => d.DisposeAsync().AsTask()));
    }
}
