using MigrationKit;

namespace Planner;

/// <summary>
/// Prints the status table at start-up. Registered after AddMigrations, its <see cref="StartingAsync"/> runs after
/// the migration's, so the table shows the migrated database, and before the web server starts serving.
/// </summary>
internal sealed class StatusTablePrinter(IMigrationRunner runner, ILogger<StatusTablePrinter> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        MigrationStatus status;
        try
        {
            status = await runner.GetStatusAsync(cancellationToken);
        }
        catch (MigrationException ex)
        {
            // The table is for people; the database was migrated, so the app starts anyway.
            PlannerLog.StatusUnreadable(logger, ex.Message);
            return;
        }

        await Console.Out.WriteAsync(StatusTable.Render(status).AsMemory(), cancellationToken);
        await Console.Out.FlushAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
