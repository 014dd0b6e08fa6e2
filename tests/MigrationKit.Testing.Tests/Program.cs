using System.Globalization;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>
/// The entry point used when the crash-cleanup test runs this assembly as a child process
/// (<c>dotnet MigrationKit.Testing.Tests.dll hold-local-cluster</c>): it starts a local cluster, prints
/// <c>READY {postmaster pid} {data folder}</c> and waits to be killed. The test runner never calls it.
/// </summary>
public static class Program
{
    public const string HoldLocalClusterMode = "hold-local-cluster";

    /// <summary>
    /// <c>hold-pgbouncer</c>: starts a local cluster and a PgBouncer in front of it, prints <c>READY {pgbouncer pid}
    /// {pgbouncer folder}</c> and waits to be killed.
    /// </summary>
    public const string HoldPgBouncerMode = "hold-pgbouncer";

    /// <summary>
    /// <c>create-database {connection string} {migrations folder}</c>: creates a migrated throwaway database on that
    /// server and prints <c>BUILT</c> or <c>CLONED</c> (whether this process built the template) and the template's name.
    /// </summary>
    public const string CreateDatabaseMode = "create-database";

    public static async Task<int> Main(string[] args)
    {
        if (args is [CreateDatabaseMode, var connectionString, var folder])
        {
            return await CreateDatabaseAsync(connectionString, folder);
        }

        if (args is [HoldPgBouncerMode])
        {
            return await HoldPgBouncerAsync();
        }

        if (args is not [HoldLocalClusterMode])
        {
            await Console.Error.WriteLineAsync($"usage: {HoldLocalClusterMode} | {HoldPgBouncerMode} | {CreateDatabaseMode} <connection string> <folder>");
            return 2;
        }

        var options = new PostgresServerOptions { AllowContainer = false, IgnoreEnvironmentVariable = true };
        await using var server = await PostgresServer.StartAsync(options);
        string dataDirectory;
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('data_directory')", connection);
            dataDirectory = (string)(await command.ExecuteScalarAsync())!;
        }

        var postmasterPid = int.Parse(
            File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), NumberStyles.None, CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {postmasterPid} {dataDirectory}"));
        Console.Out.Flush();

        // Wait until killed (or until the parent closes standard input).
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private static async Task<int> HoldPgBouncerAsync()
    {
        var options = new PostgresServerOptions { AllowContainer = false, IgnoreEnvironmentVariable = true };
        await using var server = await PostgresServer.StartAsync(options);
        await using var pooler = await Internal.PgBouncer.StartAsync(server);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {pooler.ProcessId} {pooler.Folder}"));
        Console.Out.Flush();
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private static async Task<int> CreateDatabaseAsync(string connectionString, string folder)
    {
        var logs = new RecordingLoggerFactory();
        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = connectionString, LoggerFactory = logs });
        await using var database = await server.CreateDatabaseAsync(new Sources.FileSystemMigrationSource(folder));
        bool built = logs.Entries.Any(e => e.EventId.Id == 6016);
        Console.WriteLine(built ? "BUILT" : "CLONED");
        return 0;
    }
}
