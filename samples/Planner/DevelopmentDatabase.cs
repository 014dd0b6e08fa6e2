using MigrationKit.Testing;
using Npgsql;

namespace Planner;

/// <summary>
/// The development fallback when no connection string is configured: a private PostgreSQL cluster started from the
/// local server binaries (initdb, pg_ctl) by MigrationKit.Testing, with a database named <c>planner</c>. It lives
/// as long as the app and is stopped and deleted, data and all, when the app stops. Program.cs uses it in Development only.
/// </summary>
internal sealed class DevelopmentDatabase : IAsyncDisposable
{
    public const string DatabaseName = "planner";

    private readonly PostgresServer _server;
    private readonly ILogger _logger;

    private DevelopmentDatabase(PostgresServer server, string connectionString, ILogger logger)
    {
        _server = server;
        ConnectionString = connectionString;
        _logger = logger;
    }

    public string ConnectionString { get; }

    public static async Task<DevelopmentDatabase> StartAsync(ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        ILogger logger = loggers.CreateLogger<DevelopmentDatabase>();
        PlannerLog.StartingDevelopmentDatabase(logger);

        // The sample wants a private cluster of its own, not the server the test suite may be pointed at.
        Environment.SetEnvironmentVariable("MIGRATIONKIT_TEST_CONNECTION", null);
        PostgresServer server = await PostgresServer.StartAsync(
            new PostgresServerOptions { AllowContainer = false, LoggerFactory = loggers },
            cancellationToken);
        try
        {
            await using (var connection = new NpgsqlConnection(server.ConnectionString))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            string connectionString = server.GetConnectionString(DatabaseName);
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            PlannerLog.DevelopmentDatabaseStarted(logger, builder.Host ?? "localhost", builder.Port, DatabaseName, builder.Username ?? "(default)");
            return new DevelopmentDatabase(server, connectionString, logger);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
        PlannerLog.DevelopmentDatabaseDeleted(_logger);
    }
}
