namespace MigrationKit;

/// <summary>How runners of one history table take turns.</summary>
public enum LockMode
{
    /// <summary>
    /// The default: <see cref="Advisory"/> on a direct connection, <see cref="Lease"/> behind a connection pooler. A
    /// direct connection is told from a pooler by the server process the connection reports at start-up (its cancel
    /// key) against <c>pg_backend_pid()</c>: a pooler hands out keys of its own. See the ADR on pooling.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// A session-level advisory lock: released by the server the moment the runner's connection ends. Needs a direct
    /// connection (or a session-pooling proxy that keeps one server connection per client); refused behind a pooler.
    /// </summary>
    Advisory = 1,

    /// <summary>
    /// A lease row in a lock table beside the history table (<c>{table}_lock</c>), taken and renewed by single
    /// statements in their own transactions, so it works through transaction pooling. A runner that dies leaves the
    /// lease until it expires (<see cref="MigrationOptions.LeaseTimeout"/>).
    /// </summary>
    Lease = 2,
}
