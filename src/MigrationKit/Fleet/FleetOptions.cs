namespace MigrationKit.Fleet;

/// <summary>How a fleet runs: how many targets at once, how many per server, the canary, and what a failure does.</summary>
public sealed class FleetOptions
{
    /// <summary>The most targets that run at once by default (fewer when the fleet has fewer targets).</summary>
    public const int DefaultParallelism = 8;

    /// <summary>
    /// Gets or sets how many targets run at once, or <see langword="null"/> for the default: the smaller of
    /// <see cref="DefaultParallelism"/> and the number of targets.
    /// </summary>
    /// <value>The default is <see langword="null"/>; when set it must be at least 1.</value>
    public int? Parallelism { get; set; }

    /// <summary>
    /// Gets or sets how many targets of one server run at once, so one server is not flooded with DDL from every
    /// worker, or <see langword="null"/> for no limit beyond <see cref="Parallelism"/>. Servers are told apart by host and port.
    /// </summary>
    /// <value>The default is <see langword="null"/>; when set it must be at least 1.</value>
    public int? MaxPerServer { get; set; }

    /// <summary>
    /// Gets or sets how many targets (the first ones, in the fleet's order) run first, alone: the rest start only when
    /// every one of them succeeded. 0 for no canary.
    /// </summary>
    /// <value>The default is 0; it must not be negative.</value>
    public int Canary { get; set; }

    /// <summary>Gets or sets what happens after a target fails.</summary>
    /// <value>The default is <see cref="FleetErrorPolicy.Stop"/>.</value>
    public FleetErrorPolicy OnError { get; set; } = FleetErrorPolicy.Stop;

    /// <summary>
    /// Gets or sets what is told when a target starts and when it ends, or <see langword="null"/>. It is called on a
    /// worker thread, one call at a time; keep it short.
    /// </summary>
    public IProgress<FleetProgress>? Progress { get; set; }

    internal IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        if (Parallelism is < 1)
        {
            problems.Add($"{nameof(Parallelism)} must be at least 1 (it is {Parallelism}).");
        }

        if (MaxPerServer is < 1)
        {
            problems.Add($"{nameof(MaxPerServer)} must be at least 1 (it is {MaxPerServer}).");
        }

        if (Canary < 0)
        {
            problems.Add($"{nameof(Canary)} must not be negative (it is {Canary}).");
        }

        if (!Enum.IsDefined(OnError))
        {
            problems.Add($"{nameof(OnError)} must be Stop or Continue (it is {(int)OnError}).");
        }

        return problems;
    }
}
