using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MigrationKit.Diagnostics;

/// <summary>
/// The one <see cref="ActivitySource"/> and the one <see cref="Meter"/> of MigrationKit, both named
/// <c>MigrationKit</c>: a span per run and per migration, counters of applied and failed migrations, and a histogram
/// of migration durations; for a fleet, a span for the fleet with a span per target under it, and counters of targets
/// that succeeded and failed.
/// </summary>
internal static class MigrationTelemetry
{

    private static readonly string? Version = typeof(MigrationTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];

    public static readonly ActivitySource ActivitySource = new(MigrationDiagnostics.ActivitySourceName, Version);

    public static readonly Meter Meter = new(MigrationDiagnostics.MeterName, Version);

    public static readonly Counter<long> MigrationsApplied = Meter.CreateCounter<long>(
        MigrationDiagnostics.MigrationsAppliedCounter, "{migration}", "Migrations whose script ran and was recorded.");

    public static readonly Counter<long> MigrationsFailed = Meter.CreateCounter<long>(
        MigrationDiagnostics.MigrationsFailedCounter, "{migration}", "Migrations whose script failed.");

    public static readonly Histogram<double> MigrationDuration = Meter.CreateHistogram<double>(
        MigrationDiagnostics.MigrationDurationHistogram, "s", "How long one migration's script took, its history record included.");

    public static readonly Counter<long> FleetTargetsSucceeded = Meter.CreateCounter<long>(
        "migrationkit.fleet.targets.succeeded", "{target}", "Fleet targets that ended applied, up to date, or done by another process.");

    public static readonly Counter<long> FleetTargetsFailed = Meter.CreateCounter<long>(
        "migrationkit.fleet.targets.failed", "{target}", "Fleet targets whose run failed.");

    public static Activity? StartRun(string operation)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        Activity? activity = ActivitySource.StartActivity($"migrationkit {operation}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "postgresql");
            activity.SetTag("migrationkit.operation", operation);
        }

        return activity;
    }

    /// <summary>Tags a run's span with the history table, known once the store's session is open, and the deploy phase it runs.</summary>
    public static void TagRun(Activity? activity, string historyTable, MigrationPhase? phase)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("migrationkit.history_table", historyTable);
            if (phase is { } only)
            {
                activity.SetTag("migrationkit.phase", only == MigrationPhase.Post ? "post" : "pre");
            }
        }
    }

    public static Activity? StartMigration(Migration migration, MigrationDirection direction)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        Activity? activity = ActivitySource.StartActivity($"migrationkit {Lower(direction)} {migration.Version}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "postgresql");
            activity.SetTag("migrationkit.version", migration.Version);
            activity.SetTag("migrationkit.description", migration.Description);
            activity.SetTag("migrationkit.direction", Lower(direction));
        }

        return activity;
    }

    /// <summary>The span of a whole fleet; each target's span, and each target's run span under it, are its children.</summary>
    public static Activity? StartFleet(string operation, int targets, int servers)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        Activity? activity = ActivitySource.StartActivity($"migrationkit fleet {operation}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "postgresql");
            activity.SetTag("migrationkit.operation", operation);
            activity.SetTag("migrationkit.fleet.targets", targets);
            activity.SetTag("migrationkit.fleet.servers", servers);
        }

        return activity;
    }

    /// <summary>The span of one target of a fleet (one attempt at it).</summary>
    public static Activity? StartFleetTarget(string server, string database, string schema)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        Activity? activity = ActivitySource.StartActivity("migrationkit fleet target", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "postgresql");
            activity.SetTag("server.address", server);
            activity.SetTag("db.namespace", database);
            activity.SetTag("migrationkit.schema", schema);
        }

        return activity;
    }

    /// <summary>Counts a target that reached its end: succeeded (applied, up to date, done by another) or failed.</summary>
    public static void RecordFleetTarget(string outcome, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("migrationkit.fleet.outcome", outcome);
        (failed ? FleetTargetsFailed : FleetTargetsSucceeded).Add(1, tag);
    }

    public static void RecordApplied(MigrationDirection direction, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("migrationkit.direction", Lower(direction));
        MigrationsApplied.Add(1, tag);
        MigrationDuration.Record(duration.TotalSeconds, tag);
    }

    public static void RecordFailed(MigrationDirection direction) =>
        MigrationsFailed.Add(1, new KeyValuePair<string, object?>("migrationkit.direction", Lower(direction)));

    public static string Lower(MigrationDirection direction) => direction == MigrationDirection.Up ? "up" : "down";
}
