using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MigrationKit.Hosting;

/// <summary>
/// Migrates the database in <see cref="StartingAsync"/>. The host runs every hosted service's <c>StartingAsync</c>
/// before any <c>StartAsync</c> (the web server's included), so nothing is served on an old schema; a failure
/// stops the host.
/// </summary>
/// <remarks>
/// The runner is resolved in <see cref="StartingAsync"/>, after the host validated the options, so a wrong option is
/// reported by that validation (every problem at once) and a host with <see cref="MigrationOptions.MigrateOnStartup"/>
/// off never builds one.
/// </remarks>
internal sealed class MigrationHostedService(
    IServiceProvider services,
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
        int retries = 0;
        try
        {
            IMigrationRunner runner = services.GetRequiredService<IMigrationRunner>();
            while (true)
            {
                try
                {
                    // Post-deployment migrations wait for `migrationkit up --phase post` once every replica runs this version.
                    MigrationReport report = await runner.UpAsync(MigrationPhase.Pre, cancellationToken).ConfigureAwait(false);
                    health.Succeeded(report);
                    double elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
                    string version = MigrationVersion.Format(report.EndVersion);
                    logger.StartupMigrated(version, report.Executed.Count, elapsedMs);
                    return;
                }
                catch (MigrationException ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested
                    && settings.StartupConnectRetry - time.GetElapsedTime(started) > TimeSpan.Zero)
                {
                    // A database that is not up yet, or a connection lost in the middle of a transactional migration (a
                    // restart, a failover: the server rolled it back) is waited for; SQL errors are never retried, and
                    // neither is a script outside a transaction, which leaves the database dirty.
                    // Time passes between the filter and here: what is left may have run out meanwhile. Task.Delay
                    // refuses a negative wait, and takes exactly -1 ms as "forever": never hand it either.
                    TimeSpan remaining = settings.StartupConnectRetry - time.GetElapsedTime(started);
                    TimeSpan wait = delay < remaining ? delay : remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
                    logger.StartupDatabaseUnavailable(ex.Message, wait.TotalMilliseconds, remaining);
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
                    retries++;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Host shutdown (or its start-up timeout): the runner rolled back what was running and released the lock.
            health.Canceled();
            logger.StartupMigrationCanceled();
            throw;
        }
        catch (Exception ex)
        {
            health.Failed(ex);
            string reason = IsTransient(ex) && retries > 0
                ? $"{ex.Message} Gave up after {retries} retries in {time.GetElapsedTime(started).TotalSeconds:0.#} s ({nameof(MigrationOptions.StartupConnectRetry)} = {settings.StartupConnectRetry})."
                : ex.Message;

            // A MigrationException's message says what failed and where (file, line, SQLSTATE, server message, what
            // to do): one line is the whole story. Anything else is unexpected, and its stack trace is logged too.
            logger.StartupMigrationFailed(reason, ex is MigrationException ? null : ex);
            throw;
        }
    }

    /// <summary>What a retry may cure: the server is not reachable yet, or went away under a transactional migration.</summary>
    private static bool IsTransient(Exception exception) =>
        exception is MigrationConnectionException { IsTransient: true } or MigrationFailedException { IsTransient: true };

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
