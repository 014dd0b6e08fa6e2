namespace MigrationKit.Testing;

/// <summary>The steps <see cref="PostgresServer.VerifyAsync"/> takes for each migration, in this order.</summary>
public enum VerificationStep
{
    /// <summary>The up script, applied for the first time.</summary>
    Up,

    /// <summary>The down script, right after the up script.</summary>
    Down,

    /// <summary>The up script again, after the down script.</summary>
    ReUp,
}
