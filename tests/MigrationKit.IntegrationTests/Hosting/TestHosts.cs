using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>Generic hosts for the hosting tests: no configuration files, no console, every log event recorded.</summary>
internal static class TestHosts
{
    public static HostApplicationBuilder Builder()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Debug);
        return builder;
    }

    public static FakeLogCollector Logs(this IHost host) => host.Services.GetFakeLogCollector();

    /// <summary>The records of one event, by its id.</summary>
    public static IReadOnlyList<FakeLogRecord> Events(this IHost host, int eventId) =>
        [.. host.Logs().GetSnapshot().Where(r => r.Id.Id == eventId)];

    /// <summary>Waits until the host has logged an event, polling; fails after the deadline.</summary>
    public static async Task<FakeLogRecord> WaitForEventAsync(this IHost host, int eventId, TimeSpan timeout) =>
        (await host.WaitForEventsAsync(eventId, 1, timeout))[0];

    /// <summary>Waits until the host has logged an event <paramref name="count"/> times, polling; fails after the deadline.</summary>
    public static async Task<IReadOnlyList<FakeLogRecord>> WaitForEventsAsync(this IHost host, int eventId, int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            IReadOnlyList<FakeLogRecord> events = host.Events(eventId);
            if (events.Count >= count)
            {
                return events;
            }

            deadline.Token.ThrowIfCancellationRequested();
            await Task.Delay(20, deadline.Token);
        }
    }
}
