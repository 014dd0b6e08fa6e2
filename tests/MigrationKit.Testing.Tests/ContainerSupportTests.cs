using MigrationKit.Testing.Internal;

namespace MigrationKit.Testing.Tests;

/// <summary>The feature switch that lets an application (the migrationkit tool) trim containers away.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ContainerSupportTests
{
    [TearDown]
    public void RestoreSwitch() => AppContext.SetSwitch(ContainerSupport.SwitchName, true);

    [Test]
    public async Task With_containers_switched_off_no_Docker_engine_is_probed_and_the_message_says_why()
    {
        AppContext.SetSwitch(ContainerSupport.SwitchName, false);
        using var logs = new RecordingLoggerFactory();
        var options = new PostgresServerOptions { AllowLocalCluster = false, IgnoreEnvironmentVariable = true, LoggerFactory = logs };

        var start = () => PostgresServer.StartAsync(options);

        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message
            .Should().Contain("Container: " + ContainerSupport.DisabledReason).And.Contain("MigrationKit.Testing.Containers.IsSupported");
        logs.Entries.Should().NotContain(e => e.EventId.Id == 6008, "the Docker engine is not probed");
    }

    [Test]
    public void Containers_are_supported_unless_the_switch_says_otherwise()
    {
        ContainerSupport.IsEnabled.Should().BeTrue();
        AppContext.SetSwitch(ContainerSupport.SwitchName, false);
        ContainerSupport.IsEnabled.Should().BeFalse();
    }
}
