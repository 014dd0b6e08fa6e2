using System.Diagnostics;
using MigrationKit.Diagnostics;
using MigrationKit.Postgres;
using MigrationKit.Running;
using Npgsql;

namespace MigrationKit.Fleet;

/// <summary>Reads where each target of a fleet stands: one history read per target, on the fleet's pooled connections.</summary>
internal sealed class FleetStatusReader(FleetContext context, PreloadedSource source, IReadOnlyList<FleetTarget> targets)
{
    public async Task<FleetStatus> RunAsync(CancellationToken cancellationToken)
    {
        long started = context.Time.GetTimestamp();
        int servers = targets.Select(t => t.Server).Distinct(StringComparer.Ordinal).Count();
        using Activity? activity = MigrationTelemetry.StartFleet("status", targets.Count, servers);
        int parallelism = context.ParallelismFor(targets.Count);
        var runs = targets.Select((t, i) => (Index: i, Run: new TargetRun(t, context.Options))).ToArray();
        var results = new FleetTargetStatus[runs.Length];
        IReadOnlyList<Migration> migrations = source.Loaded.Migrations;
        var connections = new FleetConnections(targets);
        await using (connections.ConfigureAwait(false))
        {
            await FleetScheduler.RunAsync(
                runs,
                r => r.Run.Target.Server,
                parallelism,
                context.MaxPerServerFor(parallelism),
                async r =>
                {
                    results[r.Index] = await ReadAsync(r.Run, connections, migrations, cancellationToken).ConfigureAwait(false);
                    await connections.ReleaseAsync(r.Run.Target).ConfigureAwait(false);
                },
                _ => !cancellationToken.IsCancellationRequested).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var status = new FleetStatus
        {
            Targets = results,
            SourceVersion = migrations.Count == 0 ? null : migrations[^1].Version,
            Duration = context.Time.GetElapsedTime(started),
        };
        if (context.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            context.Logger.StatusRead(
                results.Length,
                status.Duration.TotalMilliseconds,
                results.Count(r => r.State == FleetTargetState.UpToDate),
                results.Count(r => r.State == FleetTargetState.Behind),
                results.Count(r => r.State == FleetTargetState.Dirty),
                results.Count(r => r.State == FleetTargetState.Unreachable));
        }

        return status;
    }

    private async Task<FleetTargetStatus> ReadAsync(TargetRun run, FleetConnections connections, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        FleetTarget target = run.Target;
        using Activity? span = MigrationTelemetry.StartFleetTarget(target.Server, target.Database, run.Options.Schema);
        var entry = new FleetTargetStatus
        {
            Target = target.Name,
            Server = target.Server,
            Database = target.Database,
            Schema = run.Options.Schema,
            State = FleetTargetState.Unreachable,
        };
        try
        {
            var store = new PostgresMigrationStore(connections.Get(target), run.Options, context.StoreLogger, context.Time);
            IMigrationStoreSession session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
                MigrationStatus status = StatusBuilder.Build(migrations, history);
                return entry with
                {
                    State = status.IsDirty ? FleetTargetState.Dirty : status.Pending.Count > 0 ? FleetTargetState.Behind : FleetTargetState.UpToDate,
                    CurrentVersion = status.CurrentVersion,
                    Pending = status.Pending.Count,
                    Drifted = status.Drifted.Count,
                    Missing = status.Missing.Count,
                };
            }
        }
        catch (Exception ex) when (ex is MigrationException or ArgumentException or TimeoutException or NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            return entry with { Error = ex.Message };
        }
    }
}
