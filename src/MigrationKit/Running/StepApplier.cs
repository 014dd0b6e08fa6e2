using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;

namespace MigrationKit.Running;

/// <summary>One planned step through the store, inside its log scope and trace span, with its metrics and log lines.</summary>
internal static class StepApplier
{
    public static async Task<ExecutedMigration> ApplyAsync(IMigrationStoreSession session, PlannedMigration step, ILogger logger, CancellationToken cancellationToken)
    {
        using Activity? activity = MigrationTelemetry.StartMigration(step.Migration, step.Direction);
        using IDisposable? scope = logger.BeginScope(new MigrationScope(step.Version, step.Description, step.Direction));
        logger.MigrationStarting(step.Direction, step.Version, step.Description, step.Script.Origin);
        try
        {
            TimeSpan duration = await session.ApplyAsync(step, cancellationToken).ConfigureAwait(false);
            MigrationTelemetry.RecordApplied(step.Direction, duration);
            logger.MigrationApplied(step.Direction, step.Version, step.Description, duration.TotalMilliseconds);
            return new ExecutedMigration
            {
                Version = step.Version,
                Description = step.Description,
                Direction = step.Direction,
                Duration = duration,
                RanOutsideTransaction = step.Script.RunsOutsideTransaction,
            };
        }
        catch (MigrationFailedException ex)
        {
            MigrationTelemetry.RecordFailed(step.Direction);
            activity?.SetStatus(ActivityStatusCode.Error, ex.SqlState ?? ex.GetType().Name);
            logger.MigrationFailed(step.Direction, step.Version, step.Description, ex.Origin, ex.Line, ex.Column, ex.SqlState);
            throw;
        }
    }
}
