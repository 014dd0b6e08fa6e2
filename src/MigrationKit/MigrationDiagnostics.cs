namespace MigrationKit;

/// <summary>
/// The names to subscribe to MigrationKit's telemetry: one <see cref="System.Diagnostics.ActivitySource"/> (a span per
/// run and per migration) and one <see cref="System.Diagnostics.Metrics.Meter"/> (migrations applied and failed,
/// their durations), both named <c>MigrationKit</c>. Log event ids are in <see cref="MigrationEventIds"/>.
/// </summary>
public static class MigrationDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: add it to OpenTelemetry's tracing (<c>AddSource</c>).</summary>
    public const string ActivitySourceName = "MigrationKit";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: add it to OpenTelemetry's metrics (<c>AddMeter</c>).</summary>
    public const string MeterName = "MigrationKit";

    /// <summary>The counter of migrations whose script ran and was recorded, tagged with <c>migrationkit.direction</c>.</summary>
    public const string MigrationsAppliedCounter = "migrationkit.migrations.applied";

    /// <summary>The counter of migrations whose script failed, tagged with <c>migrationkit.direction</c>.</summary>
    public const string MigrationsFailedCounter = "migrationkit.migrations.failed";

    /// <summary>The histogram of one migration's duration in seconds, its history record included.</summary>
    public const string MigrationDurationHistogram = "migrationkit.migration.duration";
}
