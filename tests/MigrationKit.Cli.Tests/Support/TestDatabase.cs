using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Cli.Tests.Support;

/// <summary>An empty database of the test server for one test, with the URL the tool is given and queries to check it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ThrowawayDatabase _database;

    private TestDatabase(ThrowawayDatabase database)
    {
        _database = database;
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        string host = builder.Host ?? "localhost";
        Host = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : Uri.EscapeDataString(host);
        Port = builder.Port;
        User = builder.Username ?? "postgres";
        Url = $"postgres://{Uri.EscapeDataString(builder.Username ?? "postgres")}{(string.IsNullOrEmpty(builder.Password) ? string.Empty : ":" + Uri.EscapeDataString(builder.Password))}@{Host}:{Port}/{database.Name}?sslmode=disable";
    }

    public string Name => _database.Name;

    /// <summary>Gets a superuser connection string, for the tests' own checks.</summary>
    public string ConnectionString => _database.ConnectionString;

    /// <summary>Gets a postgres:// URL for the tool, as the server's own user.</summary>
    public string Url { get; }

    /// <summary>Gets a URL that logs in as <see cref="TestServer.PasswordUser"/> with its password (scram-sha-256).</summary>
    public string PasswordUrl => $"postgres://{TestServer.PasswordUser}:{Uri.EscapeDataString(TestServer.Password)}@127.0.0.1:{Port}/{Name}?sslmode=disable";

    public string Host { get; }

    public int Port { get; }

    public string User { get; }

    public static async Task<TestDatabase> CreateAsync() => new(await TestServer.Server.CreateEmptyDatabaseAsync("mk_cli_"));

    public CliStart Start(string? input = null) => new() { DatabaseUrl = Url, Input = input };

    /// <summary>Runs the tool's entry point in this process, with DATABASE_URL set to this database.</summary>
    public Task<CliResult> RunAsync(params string[] args) => CliInProcess.RunAsync(Start(), args);

    /// <summary>Runs the tool as a process of its own, with DATABASE_URL set to this database.</summary>
    public Task<CliResult> RunProcessAsync(params string[] args) => CliProcess.RunAsync(Start(), args);

    public async Task<List<(long Version, bool Dirty)>> HistoryAsync(string table = "\"public\".\"schema_migrations\"")
    {
        var rows = new List<(long, bool)>();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT version, dirty FROM {table} ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetBoolean(1)));
        }

        return rows;
    }

    public async Task<List<long>> VersionsAsync(string table = "\"public\".\"schema_migrations\"") =>
        [.. (await HistoryAsync(table)).Select(r => r.Version)];

    public async Task<List<string>> TablesAsync(string schema = "public")
    {
        var names = new List<string>();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
