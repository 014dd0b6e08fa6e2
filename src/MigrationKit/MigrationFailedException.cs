namespace MigrationKit;

/// <summary>
/// A migration's script failed on the server, or the connection was lost while it ran. The message names the
/// version, the file, the line and column of the failing statement, the SQLSTATE and the server's message; the
/// <see cref="Exception.InnerException"/> is the <see cref="Npgsql.PostgresException"/> or
/// <see cref="Npgsql.NpgsqlException"/>.
/// </summary>
public sealed class MigrationFailedException : MigrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="version">The migration's version.</param>
    /// <param name="description">The migration's description.</param>
    /// <param name="direction">Which script ran.</param>
    /// <param name="origin">The script's file or resource.</param>
    /// <param name="line">The 1-based line of the failing statement's error, when known.</param>
    /// <param name="column">The 1-based column, when known.</param>
    /// <param name="sqlState">The SQLSTATE, when the server reported one.</param>
    /// <param name="isConnectionLost">Whether the connection was lost rather than the statement refused.</param>
    /// <param name="ranOutsideTransaction">Whether the script ran outside a transaction, statement by statement.</param>
    /// <param name="innerException">The driver's exception.</param>
    public MigrationFailedException(
        string message,
        long version,
        string description,
        MigrationDirection direction,
        string origin,
        int? line,
        int? column,
        string? sqlState,
        bool isConnectionLost,
        bool ranOutsideTransaction,
        Exception? innerException)
        : base(message, innerException)
    {
        Version = version;
        Description = description;
        Direction = direction;
        Origin = origin;
        Line = line;
        Column = column;
        SqlState = sqlState;
        IsConnectionLost = isConnectionLost;
        RanOutsideTransaction = ranOutsideTransaction;
    }

    /// <summary>Gets the migration's version.</summary>
    public long Version { get; }

    /// <summary>Gets the migration's description.</summary>
    public string Description { get; }

    /// <summary>Gets which script ran.</summary>
    public MigrationDirection Direction { get; }

    /// <summary>Gets the script's file or resource.</summary>
    public string Origin { get; }

    /// <summary>Gets the 1-based line in <see cref="Origin"/> where the error is, when known.</summary>
    public int? Line { get; }

    /// <summary>Gets the 1-based column in <see cref="Origin"/> where the error is, when known.</summary>
    public int? Column { get; }

    /// <summary>Gets the SQLSTATE the server reported, when it reported one.</summary>
    public string? SqlState { get; }

    /// <summary>Gets a value indicating whether the connection to the server was lost while the script ran.</summary>
    public bool IsConnectionLost { get; }

    /// <summary>Gets a value indicating whether the script ran outside a transaction, under the dirty flag.</summary>
    public bool RanOutsideTransaction { get; }

    /// <summary>
    /// Gets a value indicating whether running again may succeed with nothing to repair: the connection was lost (a
    /// restart, a failover) while a transactional script ran, so the server rolled it back (or committed it whole,
    /// which the next run reads from the history).
    /// </summary>
    public bool IsTransient => IsConnectionLost && !RanOutsideTransaction;
}
