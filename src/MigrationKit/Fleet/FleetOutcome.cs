namespace MigrationKit.Fleet;

/// <summary>How one target of a fleet ended. The names are stable (the command line writes them in kebab case).</summary>
public enum FleetOutcome
{
    /// <summary>This process applied at least one migration, and the target reached the source's newest version.</summary>
    Applied = 0,

    /// <summary>Nothing was pending: the target was at the source's newest version when this process looked.</summary>
    UpToDate = 1,

    /// <summary>The run failed; <see cref="FleetTargetResult.Failure"/> says where and why.</summary>
    Failed = 2,

    /// <summary>
    /// Not run: after a failure with <see cref="FleetErrorPolicy.Stop"/>, after a failed canary, or because the fleet was
    /// cancelled before it started; <see cref="FleetTargetResult.Reason"/> says which.
    /// </summary>
    Skipped = 3,

    /// <summary>
    /// Another process (another fleet, a replica starting up) migrated the target while this one waited or looked:
    /// its history changed from what this process first read, and nothing was left to apply.
    /// </summary>
    DoneByAnother = 4,

    /// <summary>
    /// The fleet was cancelled while the target ran: the migration in progress was rolled back and the lock released;
    /// the migrations completed before it stay applied (<see cref="FleetTargetResult.MigrationsApplied"/>).
    /// </summary>
    Cancelled = 5,
}
