namespace MigrationKit.Testing;

/// <summary>
/// Where the PostgreSQL server behind a <see cref="PostgresServer"/> comes from.
/// </summary>
public enum PostgresServerKind
{
    /// <summary>
    /// An existing server named by <see cref="PostgresServerOptions.ConnectionString"/> or the
    /// <c>MIGRATIONKIT_TEST_CONNECTION</c> environment variable. It is neither started nor stopped.
    /// </summary>
    External,

    /// <summary>
    /// A private cluster created with the local <c>initdb</c> and run from the local PostgreSQL
    /// server binaries; it is stopped and deleted when the server is disposed.
    /// </summary>
    LocalCluster,

    /// <summary>
    /// A PostgreSQL container started through Testcontainers on a Docker engine; it is removed
    /// when the server is disposed.
    /// </summary>
    Container,
}
