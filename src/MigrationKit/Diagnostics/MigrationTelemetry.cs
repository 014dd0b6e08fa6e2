using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MigrationKit.Diagnostics;

/// <summary>
/// The one <see cref="ActivitySource"/> and the one <see cref="Meter"/> of MigrationKit, both named
/// <c>MigrationKit</c>: a span per run and per migration, counters of applied and failed migrations, and a histogram
/// of migration durations.
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
