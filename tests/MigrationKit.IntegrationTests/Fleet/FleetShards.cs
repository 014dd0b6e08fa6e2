using Microsoft.Extensions.Logging;
using MigrationKit.Testing;
using MigrationKit.Testing.Internal;

namespace MigrationKit.IntegrationTests.Fleet;

/// <summary>
/// Three private clusters started once for every fleet test, as three "shards" of a fleet: separate servers, ports,
/// catalogs and lock spaces. A fleet test that cannot have them is ignored with the reason.
/// </summary>
[SetUpFixture]
public sealed class FleetShards
{
    private static PostgresServerGroup? _group;
    private static string? _unavailable;

    /// <summary>Gets the three servers, or ignores the calling test when they could not be started.</summary>
    public static IReadOnlyList<PostgresServer> Servers
    {
        get
        {
            if (_group is null)
            {
                Assert.Ignore($"The fleet tests need three private PostgreSQL clusters, which could not be started here: {_unavailable}");
            }

            return _group!;
        }
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        try
        {
            _group = await PostgresServerGroup.StartAsync(3, new PostgresServerOptions { AllowContainer = false, LoggerFactory = loggers });
        }
        catch (InvalidOperationException ex)
        {
            _unavailable = ex.Message;
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_group is not null)
        {
            await _group.DisposeAsync();
        }
    }
}
