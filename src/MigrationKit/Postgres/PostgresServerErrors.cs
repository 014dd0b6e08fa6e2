using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// Turns a server error met outside any script (creating the history table or its schema, taking the lock, writing
/// history rows) into a <see cref="MigrationException"/> that says what MigrationKit was doing, what the server said,
/// and what to grant or where to connect. Never an "unexpected" PostgresException for anything the server can answer.
/// </summary>
internal static class PostgresServerErrors
{
    public static MigrationException During(PostgresException error, string activity, string server, string? user, string consequence)
    {
        string advice = error.SqlState switch
        {
            PostgresErrorCodes.InsufficientPrivilege =>
                $"The role \"{user ?? "(default)"}\" lacks a privilege this needs. Grant it (for the history table's schema: GRANT USAGE, CREATE ON SCHEMA … TO the role; " +
                "PostgreSQL 15 no longer lets every role create in schema public), or set Schema to a schema the role owns, or connect as the schema's owner.",
            PostgresErrorCodes.ReadOnlySqlTransaction =>
                "The session is read-only: the server is a standby, or default_transaction_read_only is on for the role or the database. " +
                "Connect to the primary (with several hosts, add Target Session Attributes=primary), or turn default_transaction_read_only off for the migration role.",
            PostgresErrorCodes.InvalidSchemaName =>
                "The schema does not exist and could not be created; create it, or set Schema to one that exists.",
            PostgresErrorCodes.QueryCanceled =>
                "A statement was cancelled: statement_timeout (set on the role, the database or the server; MigrationKit sets none of its own here) or an administrator.",
            PostgresErrorCodes.LockNotAvailable =>
                "A lock was not granted within lock_timeout (set on the role, the database or the server): another session holds a lock on the table. Run again when it is done.",
            LockSql.LockLostSqlState =>
                "Another runner may hold the lock now; this step was rolled back and nothing of it applied. Run again: a run re-reads the history under the lock.",
            PostgresErrorCodes.DeadlockDetected => "The server broke a deadlock with another session; run again.",
            PostgresErrorCodes.DiskFull => "The server is out of disk space.",
            PostgresErrorCodes.OutOfMemory => "The server is out of memory.",
            PostgresErrorCodes.TooManyConnections => "The server has no free connection slot; run again, or raise max_connections.",
            _ => string.IsNullOrEmpty(error.Hint) ? string.Empty : $"Hint: {error.Hint}.",
        };

        string message = $"{Capitalize(activity)} failed on {server}: {error.SqlState}: {error.MessageText}." +
            (advice.Length > 0 ? " " + advice : string.Empty) +
            (consequence.Length > 0 ? " " + consequence : string.Empty);
        return new MigrationException(message, error);
    }

    private static string Capitalize(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
