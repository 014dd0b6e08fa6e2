namespace MigrationKit.Fleet;

/// <summary>Where one target of a fleet stands.</summary>
public sealed record FleetTargetStatus
{
    /// <summary>Gets the target as a URL without password (<see cref="FleetTarget.Name"/>).</summary>
    public required string Target { get; init; }

    /// <summary>Gets the server, as <c>host:port</c>.</summary>
    public required string Server { get; init; }

    /// <summary>Gets the database.</summary>
    public required string Database { get; init; }

    /// <summary>Gets the schema of the target's history table.</summary>
    public required string Schema { get; init; }

    /// <summary>Gets where the target stands.</summary>
    public required FleetTargetState State { get; init; }

    /// <summary>Gets the newest applied version, or <see langword="null"/> for none (0 is a version) or when unreachable.</summary>
    public long? CurrentVersion { get; init; }

    /// <summary>Gets how many migrations of the source are not applied.</summary>
    public int Pending { get; init; }

    /// <summary>Gets how many applied up scripts were changed since they were applied.</summary>
    public int Drifted { get; init; }

    /// <summary>Gets how many applied versions are not in the source.</summary>
    public int Missing { get; init; }

    /// <summary>Gets why the history could not be read, for <see cref="FleetTargetState.Unreachable"/>.</summary>
    public string? Error { get; init; }
}
