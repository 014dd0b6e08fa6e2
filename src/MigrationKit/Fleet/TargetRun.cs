namespace MigrationKit.Fleet;

/// <summary>One target of a fleet run: its options, what was seen of it, its attempts, and how it ended.</summary>
internal sealed class TargetRun
{
    /// <summary>
    /// The lock wait of a first attempt: none. The lock is tried once; when another process holds it, the store gives up
    /// at once (<see cref="MigrationLockTimeoutException"/>), and the target is tried again, waiting, at the end.
    /// </summary>
    private static readonly TimeSpan NoWait = TimeSpan.FromTicks(1);

    private MigrationOptions? _firstAttempt;

    public TargetRun(FleetTarget target, MigrationOptions fleetOptions)
    {
        Target = target;
        Options = fleetOptions.Clone();
        Options.ConnectionString = null;

        // A fleet replaces placeholders unless told not to: ${schema} is how one folder names each target's schema.
        Options.ReplacePlaceholders ??= true;
        if (target.Schema is { } schema)
        {
            Options.Schema = schema;
            Options.SetSearchPath = true;
        }
    }

    public FleetTarget Target { get; }

    /// <summary>Gets the options of the target's run: the fleet's, with the target's schema.</summary>
    public MigrationOptions Options { get; }

    /// <summary>Gets the options of a first attempt: the lock tried once, without waiting.</summary>
    public MigrationOptions FirstAttemptOptions
    {
        get
        {
            if (_firstAttempt is null)
            {
                _firstAttempt = Options.Clone();
                _firstAttempt.LockTimeout = NoWait;
            }

            return _firstAttempt;
        }
    }

    public TargetObservation Observation { get; } = new();

    public int Attempts { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>Gets or sets the timestamp (<see cref="TimeProvider.GetTimestamp"/>) at which the current attempt started.</summary>
    public long AttemptStarted { get; set; }

    public TimeSpan Spent { get; set; }

    public FleetTargetResult? Result { get; set; }

    public string Display => Target.ToString();

    /// <summary>A result for this target with what every result carries.</summary>
    public FleetTargetResult Describe(FleetOutcome outcome, long? from, long? to) => new()
    {
        Target = Target.Name,
        Server = Target.Server,
        Database = Target.Database,
        Schema = Options.Schema,
        Outcome = outcome,
        FromVersion = from,
        ToVersion = to,
        MigrationsApplied = Observation.Applied.Count,
        StartedAt = StartedAt,
        Duration = Spent,
        Attempts = Attempts,
    };
}
