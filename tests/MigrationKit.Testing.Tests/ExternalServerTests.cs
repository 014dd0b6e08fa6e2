using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>An external server given by a connection string (here: a private cluster started by the fixture).</summary>
[TestFixture]
[NonParallelizable]
public sealed class ExternalServerTests
{
    private PostgresServer backing = null!;

    [OneTimeSetUp]
    public async Task StartBackingServer() => backing = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());

    [OneTimeTearDown]
    public async Task StopBackingServer() => await backing.DisposeAsync();

    [Test]
    public async Task A_given_connection_string_is_used_and_no_cluster_is_started()
    {
        var clustersBefore = TestSupport.ClusterFolders();
        using var logs = new RecordingLoggerFactory();
        var options = new PostgresServerOptions { ConnectionString = backing.ConnectionString, LoggerFactory = logs };

        await using var server = await PostgresServer.StartAsync(options);

        server.Kind.Should().Be(PostgresServerKind.External);
        server.ConnectionString.Should().Be(backing.ConnectionString);
        server.ServerVersion.Should().Be(backing.ServerVersion);
        TestSupport.ClusterFolders().Should().BeEquivalentTo(clustersBefore);
        logs.Messages(LogLevel.Information).Should().ContainSingle(m => m.StartsWith("Using the External PostgreSQL server", StringComparison.Ordinal))
            .Which.Should().Contain("PostgresServerOptions.ConnectionString");
    }

    [Test]
    public async Task A_connection_string_without_a_database_gets_the_postgres_database()
    {
        var withoutDatabase = new NpgsqlConnectionStringBuilder(backing.ConnectionString) { Database = null };

        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = withoutDatabase.ConnectionString });

        new NpgsqlConnectionStringBuilder(server.ConnectionString).Database.Should().Be("postgres");
    }

    [Test]
    public async Task Disposing_drops_the_databases_it_created_but_leaves_the_server_running()
    {
        var server = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = backing.ConnectionString });
        var kept = await server.CreateEmptyDatabaseAsync();
        await using var open = new NpgsqlConnection(kept.ConnectionString);
        await open.OpenAsync();

        await server.DisposeAsync();

        (await TestSupport.ScalarAsync<long>(backing.ConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{kept.Name}'"))
            .Should().Be(0);
        (await TestSupport.ScalarAsync<int>(backing.ConnectionString, "SELECT 1")).Should().Be(1, "an external server is not stopped");
    }

    [Test]
    public async Task An_unreachable_external_server_fails_with_a_clear_message_and_no_fallback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new PostgresServerOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={closedPort};Username=postgres;Timeout=2",
        };

        var start = () => PostgresServer.StartAsync(options);

        (await start.Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("PostgresServerOptions.ConnectionString").And.Contain($"127.0.0.1:{closedPort}");
    }
}
