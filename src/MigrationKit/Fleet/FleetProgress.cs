namespace MigrationKit.Fleet;

/// <summary>
/// A fleet's progress, reported when a target starts and when it ends; a target that is skipped ends, once the fleet
/// knows it will not run it, with a <see cref="FleetOutcome.Skipped"/> result.
/// </summary>
public sealed record FleetProgress
{
    /// <summary>Gets the target that started or ended.</summary>
    public required FleetTarget Target { get; init; }

    /// <summary>Gets what happened to the target, when it ended; <see langword="null"/> when it started.</summary>
    public FleetTargetResult? Result { get; init; }

    /// <summary>Gets the number of targets.</summary>
    public int Total { get; init; }

    /// <summary>Gets the number of targets that ended (failed and skipped included).</summary>
    public int Done { get; init; }

    /// <summary>Gets the number of targets that failed so far.</summary>
    public int Failed { get; init; }

    /// <summary>Gets the number of targets running now.</summary>
    public int Running { get; init; }

    /// <summary>Gets how long the fleet has run.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets an estimate of the time left, from the pace so far; <see langword="null"/> until a target has ended.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }
}
