using Npgsql;

namespace MigrationKit.IntegrationTests;

/// <summary>
/// The PostgreSQL server of this test run, started once. Each test gets its own empty database from it.
/// </summary>
[SetUpFixture]
public sealed class TestServer
{
    /// <summary>A role that must log in with a password (scram-sha-256), for the wrong-password test.</summary>
    public const string PasswordUser = "mk_password_user";

    private static string? _connectionString;

    public static string ConnectionString => _connectionString ?? throw new InvalidOperationException("The test server is not started.");

    [OneTimeSetUp]
    public Task StartAsync()
    {
        _connectionString = Environment.GetEnvironmentVariable("MIGRATIONKIT_TEST_CONNECTION")
            ?? throw new InvalidOperationException("Set MIGRATIONKIT_TEST_CONNECTION (temporary until the Testing package lands).");
        return Task.CompletedTask;
    }

    [OneTimeTearDown]
    public static Task StopAsync() => Task.CompletedTask;

    /// <summary>A new, empty database, dropped when disposed.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        string name = "mk_it_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString, ConnectionString);
    }
}

public sealed class TestDatabase(string name, string connectionString, string serverConnectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
