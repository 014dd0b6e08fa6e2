using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MigrationKit.Hosting;

/// <summary>
/// Migrates the database in <see cref="StartingAsync"/>. The host runs every hosted service's <c>StartingAsync</c>
/// before any <c>StartAsync</c> (the web server's included), so nothing is served on an old schema; a failure
/// stops the host.
/// </summary>
internal sealed class MigrationHostedService(
    IMigrationRunner runner,
    IOptions<MigrationOptions> options,
    MigrationHealth health,
    ILogger<MigrationHostedService> logger,
    TimeProvider time) : IHostedLifecycleService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        MigrationOptions settings = options.Value;
        if (!settings.MigrateOnStartup)
        {
            logger.StartupMigrationDisabled();
            return;
        }

        logger.StartupMigrating();
        health.Running();
        long started = time.GetTimestamp();
        TimeSpan delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                MigrationReport report = await runner.UpAsync(cancellationToken).ConfigureAwait(false);
                health.Succeeded(report);
                double elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
                logger.StartupMigrated(report.EndVersion, report.Executed.Count, elapsedMs);
                return;
            }
            catch (MigrationConnectionException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested
                && time.GetElapsedTime(started) + delay <= settings.StartupConnectRetry)
            {
                // Only the database not being up yet is retried; SQL errors never are.
                TimeSpan remaining = settings.StartupConnectRetry - time.GetElapsedTime(started);
                logger.StartupDatabaseUnavailable(ex.Message, delay.TotalMilliseconds, remaining);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                health.Failed(new OperationCanceledException("The host stopped during the start-up migration."));
                throw;
            }
            catch (Exception ex)
            {
                health.Failed(ex);
                logger.StartupMigrationFailed(ex.Message, ex);
                throw;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
