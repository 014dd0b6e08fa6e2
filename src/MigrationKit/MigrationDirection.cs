namespace MigrationKit;

/// <summary>The direction in which a migration runs.</summary>
public enum MigrationDirection
{
    /// <summary>The up script runs and the version is recorded.</summary>
    Up = 0,

    /// <summary>The down script runs and the version's record is deleted.</summary>
    Down = 1,
}
