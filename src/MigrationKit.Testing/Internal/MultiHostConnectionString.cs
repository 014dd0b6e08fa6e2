using System.Globalization;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Builds Npgsql multi-host connection strings over several test servers (a primary and its standbys), the way
/// production lists the members of a replicated cluster: <c>Host=127.0.0.1:5433,127.0.0.1:5432;Target Session
/// Attributes=primary</c>. Npgsql takes a port per host after a colon; a host without one uses <c>Port</c>.
/// </summary>
internal static class MultiHostConnectionString
{
    /// <summary>
    /// Returns a connection string that lists the hosts of <paramref name="connectionStrings"/> in their order (each a
    /// single-host connection string, e.g. <see cref="PostgresServer.GetConnectionString"/> and
    /// <see cref="PostgresStandby.GetConnectionString"/>), with every other setting (user, password, database, pooling) from
    /// the first, and <paramref name="targetSessionAttributes"/>.
    /// </summary>
    /// <param name="connectionStrings">The members, in the order Npgsql tries them.</param>
    /// <param name="targetSessionAttributes">
    /// Which member Npgsql connects to: <c>primary</c> (the default), <c>standby</c>, <c>prefer-primary</c>,
    /// <c>prefer-standby</c>, <c>read-write</c>, <c>read-only</c> or <c>any</c>.
    /// </param>
    /// <param name="hostRecheckSeconds">
    /// How long Npgsql trusts what it learnt about a member (primary, standby, offline) before asking again
    /// (<c>Host Recheck Seconds</c>); <see langword="null"/> keeps Npgsql's default of 10 s. A failover test sets 0: with
    /// the standby listed first and the default, Npgsql remembers it as a standby after its promotion and answers "No
    /// suitable host was found" for up to 10 s (measured: 9.7 s); with 0 the first connection after the promotion reaches it.
    /// </param>
    /// <exception cref="ArgumentException">Fewer than one connection string, a member with several hosts, or members with other users or databases.</exception>
    public static string Build(IEnumerable<string> connectionStrings, string targetSessionAttributes = "primary", int? hostRecheckSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(connectionStrings);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetSessionAttributes);
        var members = connectionStrings.Select(text => new NpgsqlConnectionStringBuilder(text)).ToList();
        if (members.Count == 0)
        {
            throw new ArgumentException("A multi-host connection string needs at least one member.", nameof(connectionStrings));
        }

        var first = members[0];
        var hosts = new List<string>();
        foreach (var member in members)
        {
            if (string.IsNullOrEmpty(member.Host) || member.Host.Contains(',', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Each member names one host; got '{member.Host}'.", nameof(connectionStrings));
            }

            if (!string.Equals(member.Username, first.Username, StringComparison.Ordinal)
                || !string.Equals(member.Database, first.Database, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    "Every member of a multi-host connection string is reached as the same user and database; "
                    + $"got {first.Username}@{first.Database} and {member.Username}@{member.Database}.",
                    nameof(connectionStrings));
            }

            // An IPv6 address is written in brackets, so its colons are not read as the port's.
            var host = member.Host.Contains(':', StringComparison.Ordinal) && !member.Host.StartsWith('[') ? $"[{member.Host}]" : member.Host;
            hosts.Add(string.Create(CultureInfo.InvariantCulture, $"{host}:{member.Port}"));
        }

        var builder = new NpgsqlConnectionStringBuilder(first.ConnectionString)
        {
            Host = string.Join(',', hosts),
            TargetSessionAttributes = targetSessionAttributes,
        };
        if (hostRecheckSeconds is { } seconds)
        {
            builder.HostRecheckSeconds = seconds;
        }

        return builder.ConnectionString;
    }
}
