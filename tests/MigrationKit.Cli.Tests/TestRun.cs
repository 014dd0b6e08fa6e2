namespace MigrationKit.Cli.Tests;

/// <summary>Starts the run's PostgreSQL server (<see cref="TestServer"/>) before any test of this project and stops it after the last.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeSetUp]
    public Task StartAsync() => TestServer.StartAsync("mk_cli_");

    [OneTimeTearDown]
    public Task StopAsync() => TestServer.StopAsync();
}
