using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MigrationKit.Hosting;

/// <summary>
/// Healthy once the database is current; degraded while migrations run or are pending; unhealthy when the
/// start-up migration failed or the database is dirty. When the host does not migrate at start-up, it asks the
/// runner for the database's status on each check.
/// </summary>
internal sealed class MigrationHealthCheck(MigrationHealth health, IMigrationRunner runner) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        MigrationHealth.Snapshot snapshot = health.Current;
        switch (snapshot.State)
        {
            case MigrationHealthState.Succeeded:
                return HealthCheckResult.Healthy($"The database is at version {snapshot.Report!.EndVersion}.");
            case MigrationHealthState.Running:
                return HealthCheckResult.Degraded("Migrations are running.");
            case MigrationHealthState.Dirty:
                return HealthCheckResult.Unhealthy("The database is dirty: a migration outside a transaction failed. Repair it and run force.", snapshot.Error);
            case MigrationHealthState.Failed:
                return HealthCheckResult.Unhealthy("The start-up migration failed.", snapshot.Error);
        }

        try
        {
            MigrationStatus status = await runner.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            return status.IsDirty ? HealthCheckResult.Unhealthy($"The database is dirty at version {status.Applied.First(a => a.IsDirty).Version}.")
                : status.Pending.Count > 0 ? HealthCheckResult.Degraded($"{status.Pending.Count} migration(s) pending; the database is at version {status.CurrentVersion}.")
                : HealthCheckResult.Healthy($"The database is at version {status.CurrentVersion}.");
        }
        catch (MigrationException ex)
        {
            return HealthCheckResult.Unhealthy("The migration status could not be read.", ex);
        }
    }
}
