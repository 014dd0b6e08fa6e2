using System.Net.Sockets;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// Turns a failure to open a connection into a <see cref="MigrationConnectionException"/> that says where we tried
/// to connect and what went wrong, from the connection string's host, port, database and user; never its password.
/// </summary>
internal static class PostgresConnectionErrors
{
    public static bool IsConnectionFailure(Exception exception) =>
        exception is NpgsqlException or SocketException or TimeoutException;

    public static MigrationConnectionException Describe(Exception exception, string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            // A malformed connection string: describe it without echoing it.
        }

        string host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        string? wanted = string.IsNullOrEmpty(builder.TargetSessionAttributes) || builder.TargetSessionAttributes.Equals("any", StringComparison.OrdinalIgnoreCase)
            ? null
            : builder.TargetSessionAttributes;
        string at = host.Contains(',', StringComparison.Ordinal)
            ? $"hosts {string.Join(", ", host.Split(',').Select(h => h.Contains(':', StringComparison.Ordinal) ? h : $"{h}:{builder.Port}"))}"
            : $"{host}:{builder.Port}";
        string where = $"PostgreSQL at {at}{(wanted is null ? string.Empty : $" (Target Session Attributes={wanted})")}, " +
            $"database \"{builder.Database ?? builder.Username ?? "(default)"}\", user \"{builder.Username ?? "(default)"}\"";
        (string reason, string advice, bool transient) = wanted is not null && IsNoSuitableHost(exception)
            ? ($"every host answered, but none is a {wanted} one", "During a failover no host is the primary until a standby is promoted; otherwise check the hosts and Target Session Attributes.", true)
            : Classify(exception);
        return new MigrationConnectionException($"Could not connect to {where}: {reason}. {advice}", transient, exception);
    }

    /// <summary>
    /// Npgsql's answer when every host of a connection string with Target Session Attributes could be reached but none is
    /// of the kind asked for (no primary yet in a failover): a plain <see cref="NpgsqlException"/> that carries nothing else,
    /// where a host that could not be reached makes it carry that host's error.
    /// </summary>
    private static bool IsNoSuitableHost(Exception exception) =>
        exception is NpgsqlException { InnerException: null } and not PostgresException;

    /// <summary>
    /// The connection of a run was lost outside any script (reading the history, polling for or holding the lock,
    /// writing history rows of force, baseline or drop): a <see cref="MigrationConnectionException"/> that names the
    /// server and what was under way, says what state that leaves, and is transient (the next run may succeed).
    /// </summary>
    public static MigrationConnectionException Lost(Exception exception, string server, string activity, string consequence)
    {
        string reason = exception is PostgresException pg
            ? $"{pg.SqlState}: {pg.MessageText}"
            : FindInner<TimeoutException>(exception) is not null ? "no answer within the command timeout"
            : "the server closed the connection or the network failed";
        return new MigrationConnectionException($"The connection to {server} was lost while {activity} ({reason}). {consequence}", true, exception);
    }

    /// <summary>Where an open connection goes, for messages: host, port, database and user, never the password.</summary>
    public static string DescribeServer(NpgsqlConnection connection) =>
        $"PostgreSQL at {connection.Host}:{connection.Port}, database \"{connection.Database}\", user \"{connection.UserName ?? "(default)"}\"";

    private static (string Reason, string Advice, bool Transient) Classify(Exception exception)
    {
        if (exception is PostgresException pg)
        {
            return pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    ($"the server refused the credentials ({pg.SqlState})", "Check the user name and password.", false),
                PostgresErrorCodes.InvalidCatalogName =>
                    ($"the database does not exist ({pg.SqlState})", "Create it first, or fix the database name.", false),
                PostgresErrorCodes.CannotConnectNow =>
                    ($"the server is starting up or shutting down ({pg.SqlState})", "Try again in a moment.", true),
                PostgresErrorCodes.TooManyConnections =>
                    ($"the server has no free connection slot ({pg.SqlState})", "Try again in a moment, or raise max_connections.", true),
                PostgresErrorCodes.InsufficientPrivilege =>
                    ($"the user may not connect to this database ({pg.SqlState})", "Grant CONNECT on the database to the user.", false),
                _ => ($"the server refused the connection ({pg.SqlState}: {pg.MessageText})", "Check the connection string and the server's pg_hba.conf.", false),
            };
        }

        SocketException? socket = FindInner<SocketException>(exception);
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => ("nothing is listening there (connection refused)", "Check the host and port, and that the server is running.", true),
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
                    ("the host name could not be resolved", "Check the host name.", socket.SocketErrorCode == SocketError.TryAgain),
                SocketError.TimedOut => ("the connection attempt timed out", "Check the host, the port and any firewall between.", true),
                SocketError.HostUnreachable or SocketError.NetworkUnreachable => ("the host is unreachable", "Check the network path to the server.", true),
                _ => ($"a network error occurred ({socket.SocketErrorCode})", "Check the host, the port and the network.", true),
            };
        }

        if (FindInner<TimeoutException>(exception) is not null)
        {
            return ("the connection attempt timed out", "Check the host, the port, and the Timeout setting of the connection string.", true);
        }

        if (FindInner<IOException>(exception) is not null || FindInner<EndOfStreamException>(exception) is not null)
        {
            return ("the connection was closed during the handshake", "Check that the port is PostgreSQL's and the SSL settings match the server.", true);
        }

        // Npgsql's own message says what it refused (for example "No password has been provided but the backend
        // requires one"); it never carries the password.
        return ($"the connection could not be opened: {exception.Message.TrimEnd('.')}", "Check the connection string's settings.", false);
    }

    private static T? FindInner<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T match)
            {
                return match;
            }
        }

        return null;
    }
}
