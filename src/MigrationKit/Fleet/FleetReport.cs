namespace MigrationKit.Fleet;

/// <summary>What a fleet run did: one result per target, in the fleet's order (server, database, schema), and the totals.</summary>
public sealed record FleetReport
{
    /// <summary>Gets one result per target, in the fleet's order.</summary>
    public required IReadOnlyList<FleetTargetResult> Targets { get; init; }

    /// <summary>Gets the totals.</summary>
    public required FleetSummary Summary { get; init; }

    /// <summary>Gets a value indicating whether the run was cancelled: targets running then are <see cref="FleetOutcome.Cancelled"/>, those not started <see cref="FleetOutcome.Skipped"/>.</summary>
    public bool IsCancelled { get; init; }

    /// <summary>Gets a value indicating whether every target succeeded (applied, up to date, or done by another process).</summary>
    public bool Succeeded => !IsCancelled && Targets.All(t => t.Succeeded);
}
