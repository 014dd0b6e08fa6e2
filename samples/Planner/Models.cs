using MigrationKit;

namespace Planner;

/// <summary>A row of <c>projects</c>.</summary>
internal sealed record Project(long Id, string Name, string Description, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A row of <c>tasks</c>, with its steps in order.</summary>
internal sealed record PlannerTask(
    long Id,
    long ProjectId,
    string Title,
    string Description,
    string Status,
    int Priority,
    string? Assignee,
    DateTimeOffset? DueAt,
    IReadOnlyList<Step> Steps);

/// <summary>A row of <c>steps</c>.</summary>
internal sealed record Step(long Id, int Position, string Title, bool Done, DateTimeOffset? CompletedAt);

/// <summary>What GET /migrations answers: where the schema stands. Never the connection string.</summary>
internal sealed record MigrationsResponse(long? CurrentVersion, bool Dirty, int Pending, IReadOnlyList<MigrationEntry> Migrations)
{
    public static MigrationsResponse From(MigrationStatus status) => new(
        status.CurrentVersion,
        status.IsDirty,
        status.Pending.Count,
        [.. status.Entries.Select(e => new MigrationEntry(
            e.Version,
            e.Description,
            e.State,
            e.Applied?.AppliedAt,
            e.Applied?.ExecutionTime is { } time ? (long)time.TotalMilliseconds : null))]);
}

/// <summary>One version in <see cref="MigrationsResponse"/>.</summary>
internal sealed record MigrationEntry(long Version, string Description, MigrationState State, DateTimeOffset? AppliedAt, long? ExecutionMs);

/// <summary>What GET /health answers.</summary>
internal sealed record HealthResponse(string Status, IReadOnlyList<HealthEntry> Checks);

/// <summary>One check in <see cref="HealthResponse"/>.</summary>
internal sealed record HealthEntry(string Name, string Status, string? Description, double DurationMs);
