namespace MigrationKit.Fleet;

/// <summary>What a fleet did to one target.</summary>
public sealed record FleetTargetResult
{
    /// <summary>Gets the target as a URL without password (<see cref="FleetTarget.Name"/>).</summary>
    public required string Target { get; init; }

    /// <summary>Gets the server, as <c>host:port</c>.</summary>
    public required string Server { get; init; }

    /// <summary>Gets the database.</summary>
    public required string Database { get; init; }

    /// <summary>Gets the schema of the target's history table (the target's schema for a schema target).</summary>
    public required string Schema { get; init; }

    /// <summary>Gets how the target ended.</summary>
    public required FleetOutcome Outcome { get; init; }

    /// <summary>Gets the newest applied version when this process started on the target, or <see langword="null"/> for none (0 is a version).</summary>
    public long? FromVersion { get; init; }

    /// <summary>Gets the newest applied version when this process finished with the target, or <see langword="null"/> for none.</summary>
    public long? ToVersion { get; init; }

    /// <summary>Gets how many migrations this process applied to the target.</summary>
    public int MigrationsApplied { get; init; }

    /// <summary>Gets when this process started on the target, or <see langword="null"/> when it never did.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Gets how long this process spent on the target, every attempt included.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets how many times the target was tried: 2 when another process held its lock at first.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets why the target failed, for <see cref="FleetOutcome.Failed"/>.</summary>
    public FleetFailure? Failure { get; init; }

    /// <summary>Gets why the target was skipped or cancelled, or who did its work, in a sentence; <see langword="null"/> otherwise.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets a value indicating whether the target ended well: applied, up to date, or done by another process.</summary>
    public bool Succeeded => Outcome is FleetOutcome.Applied or FleetOutcome.UpToDate or FleetOutcome.DoneByAnother;
}
