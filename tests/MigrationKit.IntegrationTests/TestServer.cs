using Microsoft.Extensions.Logging;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests;

/// <summary>
/// The PostgreSQL server of this test run, found or started once by MigrationKit.Testing
/// (MIGRATIONKIT_TEST_CONNECTION, else a private cluster from the local binaries, else a container).
/// Each test gets its own empty database from it.
/// </summary>
[SetUpFixture]
public sealed class TestServer
{
    /// <summary>A role that must log in with a password (scram-sha-256), for the wrong-password test.</summary>
    public const string PasswordUser = "mk_password_user";

    private static PostgresServer? _server;

    public static PostgresServer Server => _server ?? throw new InvalidOperationException("The test server is not started.");

    public static string ConnectionString => Server.ConnectionString;

    /// <summary>Whether <see cref="PasswordUser"/> exists and the server asks it for a password.</summary>
    public static bool HasPasswordUser { get; private set; }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Information));
        _server = await PostgresServer.StartAsync(new PostgresServerOptions { LoggerFactory = loggers });
        if (_server.Kind == PostgresServerKind.LocalCluster)
        {
            await AddPasswordUserAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A new, empty database, dropped when disposed.</summary>
    public static Task<ThrowawayDatabase> CreateDatabaseAsync() => Server.CreateEmptyDatabaseAsync("mk_it_");

    /// <summary>
    /// The private cluster trusts every local connection; one role is made to need a password, by a pg_hba.conf line
    /// placed before the others, so a wrong password can be tested.
    /// </summary>
    private static async Task AddPasswordUserAsync()
    {
        string hbaFile = await ScalarAsync("SHOW hba_file");
        await ScalarAsync($"CREATE ROLE {PasswordUser} LOGIN PASSWORD 'the-right-password'");
        string rules = await File.ReadAllTextAsync(hbaFile);
        await File.WriteAllTextAsync(hbaFile, $"host all {PasswordUser} 127.0.0.1/32 scram-sha-256\n" + rules);
        await ScalarAsync("SELECT pg_reload_conf()::text");
        HasPasswordUser = true;
    }

    private static async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? string.Empty;
    }
}
