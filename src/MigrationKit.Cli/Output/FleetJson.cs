using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using MigrationKit.Fleet;

namespace MigrationKit.Cli.Output;

/// <summary>
/// What <c>up --json</c> writes for a fleet: the outcome, the totals, then one entry per target in the fleet's order.
/// The field names are a contract. <c>status</c> is <c>applied</c>, <c>up-to-date</c>, <c>failed</c>, <c>skipped</c>,
/// <c>done-by-another</c> or <c>cancelled</c>; a version is null when none is applied (0 is a version).
/// </summary>
internal sealed record FleetUpJson(string Command, bool Succeeded, bool Cancelled, FleetSummaryJson Summary, IReadOnlyList<FleetTargetJson> Targets);

/// <summary>The totals of a fleet's <c>up</c>.</summary>
internal sealed record FleetSummaryJson(
    int Targets, int Servers, int Applied, int UpToDate, int DoneByAnother, int Failed, int Skipped, int Cancelled, int MigrationsApplied, int Parallelism, int MaxPerServer, long DurationMs);

/// <summary>One target of a fleet's <c>up</c>; <c>failure</c> is null unless it failed, <c>reason</c> says why it was skipped or cancelled or who did its work.</summary>
internal sealed record FleetTargetJson(
    string Target,
    string Server,
    string Database,
    string Schema,
    string Status,
    long? FromVersion,
    long? ToVersion,
    int MigrationsApplied,
    DateTimeOffset? StartedAt,
    double DurationMs,
    int Attempts,
    string? Reason,
    FleetFailureJson? Failure);

/// <summary>Where and why a target failed.</summary>
internal sealed record FleetFailureJson(long? Version, string? File, int? Line, int? Column, string? SqlState, string Kind, string Message);

/// <summary>
/// What <c>status --json</c> writes for a fleet: the source's newest version, the totals, how many targets are at each
/// version, then each target; <c>state</c> is <c>up-to-date</c>, <c>behind</c>, <c>dirty</c> or <c>unreachable</c>.
/// </summary>
internal sealed record FleetStatusJson(long? SourceVersion, FleetStatusSummaryJson Summary, IReadOnlyList<FleetVersionJson> Versions, IReadOnlyList<FleetTargetStatusJson> Targets);

/// <summary>The totals of a fleet's status.</summary>
internal sealed record FleetStatusSummaryJson(int Targets, int Servers, int UpToDate, int Behind, int Dirty, int Unreachable, long DurationMs);

/// <summary>How many reachable targets are at a version (null: none applied).</summary>
internal sealed record FleetVersionJson(long? Version, int Targets);

/// <summary>One target of a fleet's status.</summary>
internal sealed record FleetTargetStatusJson(
    string Target, string Server, string Database, string Schema, string State, long? CurrentVersion, int Pending, int Drifted, int Missing, string? Error);

/// <summary>System.Text.Json source generation for the fleet's JSON: no reflection, safe under trimming and Native AOT.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FleetUpJson))]
[JsonSerializable(typeof(FleetStatusJson))]
internal sealed partial class FleetJsonContext : JsonSerializerContext
{
    /// <summary>Gets the context the tool writes with: names and messages kept readable (quotes are not escaped).</summary>
    public static FleetJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    });

    public static string Write(FleetReport report) => JsonSerializer.Serialize(
        new FleetUpJson(
            "up",
            report.Succeeded,
            report.IsCancelled,
            new FleetSummaryJson(
                report.Summary.Targets,
                report.Summary.Servers,
                report.Summary.Applied,
                report.Summary.UpToDate,
                report.Summary.DoneByAnother,
                report.Summary.Failed,
                report.Summary.Skipped,
                report.Summary.Cancelled,
                report.Summary.MigrationsApplied,
                report.Summary.Parallelism,
                report.Summary.MaxPerServer,
                (long)report.Summary.Duration.TotalMilliseconds),
            [.. report.Targets.Select(t => new FleetTargetJson(
                t.Target,
                t.Server,
                t.Database,
                t.Schema,
                FleetText.Status(t.Outcome),
                t.FromVersion,
                t.ToVersion,
                t.MigrationsApplied,
                t.StartedAt?.ToUniversalTime(),
                Math.Round(t.Duration.TotalMilliseconds, 1),
                t.Attempts,
                t.Reason,
                t.Failure is { } f ? new FleetFailureJson(f.Version, f.File, f.Line, f.Column, f.SqlState, f.Kind, f.Message) : null))]),
        Readable.FleetUpJson);

    public static string Write(FleetStatus status) => JsonSerializer.Serialize(
        new FleetStatusJson(
            status.SourceVersion,
            new FleetStatusSummaryJson(
                status.Targets.Count,
                status.Targets.Select(t => t.Server).Distinct(StringComparer.Ordinal).Count(),
                status.Targets.Count(t => t.State == FleetTargetState.UpToDate),
                status.Behind.Count,
                status.Dirty.Count,
                status.Unreachable.Count,
                (long)status.Duration.TotalMilliseconds),
            [.. status.Versions.Select(v => new FleetVersionJson(v.Version, v.Targets))],
            [.. status.Targets.Select(t => new FleetTargetStatusJson(
                t.Target, t.Server, t.Database, t.Schema, FleetText.State(t.State), t.CurrentVersion, t.Pending, t.Drifted, t.Missing, t.Error))]),
        Readable.FleetStatusJson);
}
