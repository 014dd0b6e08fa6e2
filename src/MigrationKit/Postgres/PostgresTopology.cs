namespace MigrationKit.Postgres;

/// <summary>What a session's connection turned out to be, probed once before the lock is taken.</summary>
/// <param name="BackendPid">The server process that answered the probe.</param>
/// <param name="IsPooled">
/// Whether a pooler stands between us and the server: the process the connection reported at start-up (its cancel key)
/// is not the one that answers. Then a later transaction may run on another server process.
/// </param>
/// <param name="IsInRecovery">Whether the server is a standby.</param>
/// <param name="IsReadOnly">Whether the session cannot write (<c>transaction_read_only</c>).</param>
/// <param name="User">The role the session runs as.</param>
internal sealed record PostgresTopology(int BackendPid, bool IsPooled, bool IsInRecovery, bool IsReadOnly, string User);
