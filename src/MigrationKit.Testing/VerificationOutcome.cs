namespace MigrationKit.Testing;

/// <summary>What <see cref="PostgresServer.VerifyAsync"/> found for one migration.</summary>
public enum VerificationOutcome
{
    /// <summary>The up script ran, the down script restored the schema exactly, and the up script ran again.</summary>
    Verified,

    /// <summary>The up script ran; the migration has no down script, so there was nothing more to check.</summary>
    UpOnly,

    /// <summary>
    /// The up, down and re-up scripts ran, but the schema after the down script is not what it was before the up
    /// script (see <see cref="MigrationVerification.Differences"/>).
    /// </summary>
    SchemaDiffers,

    /// <summary>
    /// A script failed on the server (see <see cref="MigrationVerification.Failure"/>); the migrations after it were
    /// not run.
    /// </summary>
    Failed,

    /// <summary>Not run, because an earlier migration failed.</summary>
    NotRun,
}
