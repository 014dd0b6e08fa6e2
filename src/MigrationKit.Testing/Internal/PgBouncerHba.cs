using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The client authentication of a test PgBouncer: the server's own <c>pg_hba.conf</c> rules for TCP connections
/// (read from <c>pg_hba_file_rules</c>), written as PgBouncer's <c>auth_hba_file</c>, so a role that logs in to the
/// server without a password (the private cluster trusts loopback) does so through PgBouncer too, and a role that
/// needs a password (e.g. scram-sha-256) needs it through PgBouncer, which checks it against the secret it reads
/// with <c>auth_query</c> and reuses the client's SCRAM keys to log in to the server.
/// </summary>
internal static class PgBouncerHba
{
    private static readonly HashSet<string> SupportedMethods = new(StringComparer.Ordinal)
    {
        "trust", "reject", "md5", "password", "scram-sha-256",
    };

    /// <summary>
    /// Reads the server's hba rules and returns PgBouncer's hba file: first a rule that trusts
    /// <paramref name="adminUser"/> on the admin console from loopback, then every server rule PgBouncer can apply
    /// (TCP without TLS requirement; keyword, IP or CIDR addresses; trust, reject, md5, password and scram-sha-256), in order.
    /// </summary>
    public static async Task<string> BuildAsync(string serverConnectionString, string adminUser, CancellationToken cancellationToken = default)
    {
        var lines = new StringBuilder();
        lines.Append("# Written by MigrationKit.Testing from the server's pg_hba_file_rules.\n");
        lines.Append(CultureInfo.InvariantCulture, $"host pgbouncer {Name(adminUser)} 127.0.0.1/32 trust\n");
        var translated = 0;
        try
        {
            translated = await TranslateServerRulesAsync(serverConnectionString, lines, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // Only superusers read pg_hba_file_rules (an external server's user may not be one): fall back to a password check.
        }

        if (translated == 0)
        {
            // None of the server's rules applies to a pooler: ask for a password (md5 switches to SCRAM for SCRAM secrets).
            lines.Append("host all all 127.0.0.1/32 md5\n");
        }

        return lines.ToString();
    }

    private static async Task<int> TranslateServerRulesAsync(string serverConnectionString, StringBuilder lines, CancellationToken cancellationToken)
    {
        var translated = 0;
        var connection = new NpgsqlConnection(serverConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(
                """
                SELECT type, database, user_name, address, netmask, auth_method
                FROM pg_hba_file_rules
                WHERE error IS NULL
                ORDER BY line_number
                """,
                connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var line = Translate(
                            reader.GetString(0),
                            reader.IsDBNull(1) ? [] : reader.GetFieldValue<string[]>(1),
                            reader.IsDBNull(2) ? [] : reader.GetFieldValue<string[]>(2),
                            reader.IsDBNull(3) ? null : reader.GetString(3),
                            reader.IsDBNull(4) ? null : reader.GetString(4),
                            reader.GetString(5));
                        if (line is not null)
                        {
                            lines.Append(line).Append('\n');
                            translated++;
                        }
                    }
                }
            }
        }

        return translated;
    }

    /// <summary>Translates one row of <c>pg_hba_file_rules</c>; <see langword="null"/> when PgBouncer cannot apply it.</summary>
    internal static string? Translate(string type, string[] databases, string[] users, string? address, string? netmask, string method)
    {
        if (type is not ("host" or "hostnossl") || !SupportedMethods.Contains(method))
        {
            return null;
        }

        // PgBouncer serves no replication connections; group (+role) and file (@file) references it cannot resolve.
        var names = databases.Where(d => d != "replication").ToArray();
        if (names.Length == 0 || users.Length == 0
            || names.Any(d => d is "samerole" or "samegroup" || d.StartsWith('@'))
            || users.Any(u => u.StartsWith('+') || u.StartsWith('@')))
        {
            return null;
        }

        var where = Address(address, netmask);
        if (where is null)
        {
            return null;
        }

        return string.Join(' ', type, string.Join(',', names.Select(Name)), string.Join(',', users.Select(Name)), where, method);
    }

    private static string? Address(string? address, string? netmask)
    {
        if (address == "all")
        {
            return "all";
        }

        if (address is null || !IPAddress.TryParse(address, out var ip))
        {
            // samehost, samenet and host names.
            return null;
        }

        if (netmask is null)
        {
            return address;
        }

        if (!IPAddress.TryParse(netmask, out var mask))
        {
            return null;
        }

        var prefix = 0;
        foreach (var octet in mask.GetAddressBytes())
        {
            prefix += System.Numerics.BitOperations.PopCount(octet);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{ip}/{prefix}");
    }

    /// <summary>Writes a database or user name; keywords as they are, other names quoted when they need it.</summary>
    private static string Name(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
