namespace MigrationKit.Fleet;

/// <summary>Where one target of a fleet stands against the source.</summary>
public enum FleetTargetState
{
    /// <summary>Every migration of the source is applied.</summary>
    UpToDate = 0,

    /// <summary>Migrations of the source are pending: an up would apply them.</summary>
    Behind = 1,

    /// <summary>A history row is dirty: a script outside a transaction was interrupted or failed; runs refuse until it is forced.</summary>
    Dirty = 2,

    /// <summary>The history could not be read: the server did not answer, refused the login, or the read failed.</summary>
    Unreachable = 3,
}
