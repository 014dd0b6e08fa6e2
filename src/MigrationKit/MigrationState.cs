namespace MigrationKit;

/// <summary>Where one version stands, comparing the source with the history.</summary>
public enum MigrationState
{
    /// <summary>Applied, with the same checksum as the source's up script.</summary>
    Applied = 0,

    /// <summary>In the source, not applied.</summary>
    Pending = 1,

    /// <summary>Its history row is dirty: a script outside a transaction was running or failed.</summary>
    Dirty = 2,

    /// <summary>Applied, but the source's up script has changed since.</summary>
    Drifted = 3,

    /// <summary>Applied, but no longer in the source.</summary>
    Missing = 4,
}
