using Microsoft.Extensions.Logging;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Cli.Tests;

/// <summary>
/// The PostgreSQL server of this test run, found or started once by MigrationKit.Testing; each test gets its own
/// empty database from it and runs the tool against that database as a user would.
/// </summary>
[SetUpFixture]
public sealed class TestServer
{
    /// <summary>A role that must log in with a password (scram-sha-256), so a password in a URL really is used.</summary>
    public const string PasswordUser = "mk_cli_password_user";

    /// <summary>The password of <see cref="PasswordUser"/>: distinctive, so its absence from output means something.</summary>
    public const string Password = "Pa55-w0rd_only_in_the_url";

    private static PostgresServer? _server;

    public static PostgresServer Server => _server ?? throw new InvalidOperationException("The test server is not started.");

    /// <summary>Whether <see cref="PasswordUser"/> exists and the server asks it for its password.</summary>
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

    /// <summary>
    /// The private cluster trusts every local connection; one role is made to need a password, by a pg_hba.conf line
    /// placed before the others.
    /// </summary>
    private static async Task AddPasswordUserAsync()
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        string hbaFile = (string)(await new NpgsqlCommand("SHOW hba_file", connection).ExecuteScalarAsync())!;
        await new NpgsqlCommand($"CREATE ROLE {PasswordUser} LOGIN SUPERUSER PASSWORD '{Password}'", connection).ExecuteNonQueryAsync();
        string rules = await File.ReadAllTextAsync(hbaFile);
        await File.WriteAllTextAsync(hbaFile, $"host all {PasswordUser} 127.0.0.1/32 scram-sha-256\nhost all {PasswordUser} ::1/128 scram-sha-256\n" + rules);
        await new NpgsqlCommand("SELECT pg_reload_conf()", connection).ExecuteScalarAsync();
        HasPasswordUser = true;
    }
}
