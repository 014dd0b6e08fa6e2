namespace MigrationKit.Fleet;

/// <summary>How many targets of a fleet are at one version.</summary>
public sealed record FleetVersionCount
{
    /// <summary>Gets the version, or <see langword="null"/> for targets with nothing applied (0 is a version).</summary>
    public long? Version { get; init; }

    /// <summary>Gets how many reachable targets are at it.</summary>
    public int Targets { get; init; }
}
