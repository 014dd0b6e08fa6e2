namespace MigrationKit.Fleet;

/// <summary>Where a fleet stands: each target, how many are at each version, and the dirty, behind and unreachable ones.</summary>
public sealed record FleetStatus
{
    /// <summary>Gets one entry per target, in the fleet's order (server, database, schema).</summary>
    public required IReadOnlyList<FleetTargetStatus> Targets { get; init; }

    /// <summary>Gets the newest version of the source, or <see langword="null"/> when it is empty.</summary>
    public long? SourceVersion { get; init; }

    /// <summary>Gets how long reading the fleet took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets how many reachable targets are at each version, newest first.</summary>
    public IReadOnlyList<FleetVersionCount> Versions =>
        [.. Targets.Where(t => t.State != FleetTargetState.Unreachable)
            .GroupBy(t => t.CurrentVersion)
            .OrderByDescending(g => g.Key ?? long.MinValue)
            .Select(g => new FleetVersionCount { Version = g.Key, Targets = g.Count() })];

    /// <summary>Gets the targets with a dirty history row.</summary>
    public IReadOnlyList<FleetTargetStatus> Dirty => [.. Targets.Where(t => t.State == FleetTargetState.Dirty)];

    /// <summary>Gets the targets with migrations pending.</summary>
    public IReadOnlyList<FleetTargetStatus> Behind => [.. Targets.Where(t => t.State == FleetTargetState.Behind)];

    /// <summary>Gets the targets whose history could not be read.</summary>
    public IReadOnlyList<FleetTargetStatus> Unreachable => [.. Targets.Where(t => t.State == FleetTargetState.Unreachable)];
}
