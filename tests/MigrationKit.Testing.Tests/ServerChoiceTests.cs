using MigrationKit.Testing.Internal;
using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing.Tests;

/// <summary>What happens when no kind of server is available.</summary>
[TestFixture]
public sealed class ServerChoiceTests
{
    [Test]
    public async Task With_local_clusters_disallowed_and_no_docker_the_start_fails_listing_every_reason()
    {
        if ((await DockerProbe.ProbeAsync()).IsAvailable)
        {
            Assert.Ignore("A Docker engine answers on this machine: a container would be started.");
        }

        using var logs = new RecordingLoggerFactory();
        var options = new PostgresServerOptions { AllowLocalCluster = false, IgnoreEnvironmentVariable = true, LoggerFactory = logs };

        var start = () => PostgresServer.StartAsync(options);

        var message = (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message;
        message.Should().Contain("External: PostgresServerOptions.ConnectionString is not set")
            .And.Contain("LocalCluster: disabled by PostgresServerOptions.AllowLocalCluster")
            .And.Contain("Container: no Docker engine answered")
            .And.Contain("MIGRATIONKIT_TEST_CONNECTION")
            .And.Contain("install the PostgreSQL server binaries")
            .And.Contain("start a Docker engine");
        var skipped = logs.Entries.Where(e => e.Level == LogLevel.Information && e.EventId.Id == 6001).Select(e => e.Message).ToList();
        skipped.Should().HaveCount(3);
        skipped.Should().Contain(m => m.StartsWith("Not using the Container PostgreSQL server: no Docker engine answered", StringComparison.Ordinal));
        logs.Entries.Should().Contain(e => e.EventId.Id == 6008, "the Docker probe is logged");
    }

    [Test]
    public async Task With_every_kind_disallowed_the_start_fails_without_probing_anything()
    {
        using var logs = new RecordingLoggerFactory();
        var options = new PostgresServerOptions
        {
            AllowLocalCluster = false,
            AllowContainer = false,
            IgnoreEnvironmentVariable = true,
            LoggerFactory = logs,
        };

        var start = () => PostgresServer.StartAsync(options);

        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message
            .Should().Contain("LocalCluster: disabled by PostgresServerOptions.AllowLocalCluster")
            .And.Contain("Container: disabled by PostgresServerOptions.AllowContainer");
        logs.Entries.Should().NotContain(e => e.EventId.Id == 6008);
    }

    [Test]
    public async Task Binaries_missing_from_the_given_folder_are_reported()
    {
        var empty = Directory.CreateTempSubdirectory("mk-empty-bin-").FullName;
        try
        {
            var options = TestSupport.LocalClusterOptions();
            options.BinDirectory = empty;

            var start = () => PostgresServer.StartAsync(options);

            (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message
                .Should().Contain($"LocalCluster: no PostgreSQL server binaries (initdb, pg_ctl and postgres) were found in PostgresServerOptions.BinDirectory ({empty})");
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Test]
    public async Task A_non_positive_start_timeout_is_rejected()
    {
        var start = () => PostgresServer.StartAsync(new PostgresServerOptions { StartTimeout = TimeSpan.Zero });

        await start.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Test]
    public async Task A_docker_engine_that_fails_to_start_the_container_is_reported_as_the_container_reason()
    {
        using var fakeEngine = new FakeDockerEngine();
        using var logs = new RecordingLoggerFactory();
        var options = new PostgresServerOptions
        {
            AllowLocalCluster = false,
            IgnoreEnvironmentVariable = true,
            DockerEndpoints = [fakeEngine.Endpoint],
            StartTimeout = TimeSpan.FromSeconds(30),
            LoggerFactory = logs,
        };

        var start = () => PostgresServer.StartAsync(options);

        var failure = (await start.Should().ThrowAsync<InvalidOperationException>()).Which;
        TestContext.Out.WriteLine(failure.Message);
        failure.Message.Should().Contain("Container: starting it failed");
        failure.InnerException.Should().NotBeNull();
        fakeEngine.Requests.Should().Contain(r => r.StartsWith("GET /_ping", StringComparison.Ordinal))
            .And.Contain(r => !r.StartsWith("GET /_ping", StringComparison.Ordinal), "Testcontainers was handed the probed endpoint");
        logs.Entries.Should().Contain(e => e.EventId.Id == 6014);
    }
}
