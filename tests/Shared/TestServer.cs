using Microsoft.Extensions.Logging;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Tests.Shared;

/// <summary>
/// The PostgreSQL server of this test run, found or started once by MigrationKit.Testing
/// (MIGRATIONKIT_TEST_CONNECTION, else a private cluster from the local binaries, else a container).
/// Each test gets its own empty database from it. Each test project starts and stops it from a
/// <c>[SetUpFixture]</c> in its root namespace (<c>TestRun</c>), so it covers every test of the project.
/// </summary>
public static class TestServer
{
    /// <summary>A role that must log in with a password (scram-sha-256), so a password given really is used.</summary>
    public const string PasswordUser = "mk_password_user";

    /// <summary>The password of <see cref="PasswordUser"/>: distinctive, so its absence from output means something.</summary>
    public const string Password = "Pa55-w0rd_only_in_the_url";

    private static PostgresServer? _server;
    private static string _databasePrefix = "mk_test_";

    public static PostgresServer Server => _server ?? throw new InvalidOperationException("The test server is not started.");

    public static string ConnectionString => Server.ConnectionString;

    /// <summary>Gets a value indicating whether <see cref="PasswordUser"/> exists and the server asks it for its password (a private cluster only).</summary>
    public static bool HasPasswordUser { get; private set; }

    /// <summary>Finds or starts the server; the databases of this run are named after <paramref name="databasePrefix"/>.</summary>
    public static async Task StartAsync(string databasePrefix)
    {
        _databasePrefix = databasePrefix;
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Information));
        _server = await PostgresServer.StartAsync(new PostgresServerOptions { LoggerFactory = loggers });
        if (_server.Kind == PostgresServerKind.LocalCluster)
        {
            await AddPasswordUserAsync();
        }
    }

    public static async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    /// <summary>A new, empty database, dropped when disposed.</summary>
    public static Task<ThrowawayDatabase> CreateDatabaseAsync() => Server.CreateEmptyDatabaseAsync(_databasePrefix);

    /// <summary>
    /// The private cluster trusts every local connection; one role is made to need a password, by pg_hba.conf lines
    /// placed before the others, so a password (right or wrong) can be tested.
    /// </summary>
    private static async Task AddPasswordUserAsync()
    {
        string hbaFile = await ScalarAsync("SHOW hba_file");
        await ScalarAsync($"CREATE ROLE {PasswordUser} LOGIN SUPERUSER PASSWORD '{Password}'");
        string rules = await File.ReadAllTextAsync(hbaFile);
        await File.WriteAllTextAsync(hbaFile, $"host all {PasswordUser} 127.0.0.1/32 scram-sha-256\nhost all {PasswordUser} ::1/128 scram-sha-256\n" + rules);
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
