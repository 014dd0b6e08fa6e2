namespace MigrationKit.Fleet;

/// <summary>What a fleet does after a target fails.</summary>
public enum FleetErrorPolicy
{
    /// <summary>The default: no new target starts; targets already running finish, and the rest are reported skipped.</summary>
    Stop = 0,

    /// <summary>Every other target still runs; the failure is in the report.</summary>
    Continue = 1,
}
