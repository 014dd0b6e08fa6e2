using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MigrationKit.Hosting;

/// <summary>
/// Unhealthy when the start-up migration failed or the database is dirty; degraded while the start-up migration runs
/// or migrations are pending; healthy when the database is current. Apart from a start-up migration that is running
/// or failed, every check reads the database's status, so a database made dirty later (by another replica or the
/// command line) turns the check unhealthy.
/// </summary>
internal sealed class MigrationHealthCheck(MigrationHealth health, IMigrationRunner runner) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        MigrationHealth.Snapshot snapshot = health.Current;
        switch (snapshot.State)
        {
            case MigrationHealthState.Running:
                return HealthCheckResult.Degraded("The start-up migration is running.");
            case MigrationHealthState.Failed:
                return HealthCheckResult.Unhealthy($"The start-up migration failed: {snapshot.Error!.Message}", snapshot.Error);
        }

        MigrationStatus status;
        try
        {
            status = await runner.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MigrationException ex)
        {
            return HealthCheckResult.Unhealthy($"The migration status could not be read: {ex.Message}", ex);
        }

        if (status.IsDirty)
        {
            AppliedMigration dirty = status.Applied.First(a => a.IsDirty);
            return HealthCheckResult.Unhealthy(
                $"The database is dirty at version {dirty.Version} ({dirty.Description}): a migration outside a transaction failed or was interrupted. Repair the schema and run force.");
        }

        int pendingPre = status.Pending.Count - status.PendingPostDeployment.Count;
        if (pendingPre == 0 && status.PendingPostDeployment.Count > 0)
        {
            return HealthCheckResult.Healthy(
                $"The database is at version {MigrationVersion.Format(status.CurrentVersion)}; {status.PendingPostDeployment.Count} post-deployment migration(s) " +
                "wait for the rollout (migrationkit up --phase post).");
        }

        return pendingPre > 0
            ? HealthCheckResult.Degraded($"{status.Pending.Count} migration(s) pending; the database is at version {MigrationVersion.Format(status.CurrentVersion)}.")
            : HealthCheckResult.Healthy($"The database is at version {MigrationVersion.Format(status.CurrentVersion)}.");
    }
}
