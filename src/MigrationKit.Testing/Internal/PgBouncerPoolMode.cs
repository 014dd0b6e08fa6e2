namespace MigrationKit.Testing.Internal;

/// <summary>When PgBouncer gives a client's server connection back to the pool (its <c>pool_mode</c>).</summary>
internal enum PgBouncerPoolMode
{
    /// <summary>When the client disconnects (<c>pool_mode = session</c>): a client keeps one server connection, as if direct.</summary>
    Session,

    /// <summary>
    /// When each transaction ends (<c>pool_mode = transaction</c>): consecutive transactions of one client may run on
    /// different server connections, and session state (<c>SET</c>, advisory locks, <c>LISTEN</c>, temporary tables) stays
    /// on the server connection for whichever client gets it next.
    /// </summary>
    Transaction,
}
