using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationKit.Hosting;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;

namespace MigrationKit.Tests.Hosting;

/// <summary>
/// The start-up retry's arithmetic at the edge of StartupConnectRetry: time passes between the check that some of it
/// is left and the computation of the wait, so the wait can come out negative, which Task.Delay refuses.
/// </summary>
public sealed class StartupRetryClockTests
{
    // 1 ms past is the worst case: a wait of -1 ms is Timeout.InfiniteTimeSpan, and Task.Delay would never end.
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(250)]
    public async Task Retry_time_running_out_between_the_check_and_the_wait_ends_with_the_connection_error_not_a_hang_or_a_delay_error(int millisecondsPast)
    {
        TimeSpan retry = TimeSpan.FromSeconds(10);
        var options = new MigrationOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={ClosedPort()};Username=nobody;Timeout=2",
            StartupConnectRetry = retry,
        };

        // A real runner against a loopback port nobody listens on: connection refused, a transient error.
        var runner = new MigrationRunner(new InMemoryMigrationSource().Add(1, "a", "SELECT 1;"), new PostgresMigrationStore(options), options);
        var services = new RunnerOnly(runner);

        // The clock: the start; then, at the check, half a millisecond of the retry time left; then, when the wait is
        // computed, just past it; from then on long past it.
        var clock = new SteppingClock(TimeSpan.Zero, retry - TimeSpan.FromTicks(5_000), retry + TimeSpan.FromMilliseconds(millisecondsPast), retry + TimeSpan.FromSeconds(1));
        var service = new MigrationHostedService(services, Options.Create(options), new MigrationHealth(), NullLogger<MigrationHostedService>.Instance, clock);

        Func<Task> start = () => service.StartingAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        await start.Should().ThrowAsync<MigrationConnectionException>("the database never came up; the wait that ran out is no error of its own");
        clock.Reads.Should().BeGreaterThanOrEqualTo(3, "the check and the wait each read the clock");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The host's services, as far as the hosted service asks: the runner.</summary>
    private sealed class RunnerOnly(IMigrationRunner runner) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IMigrationRunner) ? runner : null;
    }

    /// <summary>A clock whose readings are given in order; the last one repeats.</summary>
    private sealed class SteppingClock(params TimeSpan[] readings) : TimeProvider
    {
        private int _reads;

        public int Reads => _reads;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            int index = Math.Min(Interlocked.Increment(ref _reads) - 1, readings.Length - 1);
            return readings[index].Ticks;
        }
    }
}
