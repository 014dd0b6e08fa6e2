using System.Globalization;
using System.Text;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// Reads a database address: a <c>postgres://</c> (or <c>postgresql://</c>) URL as libpq and golang-migrate write
/// them, or an Npgsql connection string, which is passed through. The command line's <c>--database</c> and
/// <c>DATABASE_URL</c>, and each line of a fleet's targets file, are read here.
/// </summary>
/// <remarks>
/// A URL is <c>postgres://[user[:password]@][host][:port][,host[:port]…][/database][?name=value&amp;…]</c>; every
/// part may be percent-encoded, an IPv6 host goes in brackets (<c>[::1]</c>), and a percent-encoded path as host is
/// a Unix socket folder. Query parameters take libpq's names (<c>sslmode</c>, <c>connect_timeout</c>,
/// <c>application_name</c>…) or Npgsql's keywords; golang-migrate's <c>x-migrations-table</c> and
/// <c>x-statement-timeout</c> are honoured and its other <c>x-</c> parameters ignored with a warning. Every error
/// message shows the URL with its password masked.
/// </remarks>
public static partial class PostgresAddress
{
    /// <summary>What a password is shown as.</summary>
    public const string Mask = "***";

    private static readonly string[] Schemes = ["postgres://", "postgresql://"];

    /// <summary>Reads a URL or a connection string.</summary>
    /// <exception cref="FormatException">It is neither, or malformed; the message never holds the password.</exception>
    /// <param name="value">The URL or connection string.</param>
    /// <returns>The connection string and what the URL said besides.</returns>
    public static ParsedPostgresAddress Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string text = value.Trim();
        if (Schemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return ParseUrl(text);
        }

        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && !text[..schemeEnd].Contains('=', StringComparison.Ordinal))
        {
            throw Invalid(text, $"the scheme '{text[..schemeEnd]}' is not PostgreSQL's; use postgres:// or postgresql://");
        }

        return ParseConnectionString(text);
    }

    /// <summary>Returns a URL with its password (and any password parameter) replaced by <c>***</c>.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The URL, masked.</returns>
    public static string MaskPassword(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        int start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return url;
        }

        start += 3;
        var masked = new StringBuilder(url.Length);

        // Over-mask rather than under-mask: an unencoded '/', '?' or '@' in a password must not let part of it show,
        // so the user information runs to the last '@' of the whole URL.
        int at = url.LastIndexOf('@');
        int colon = at > start ? url.IndexOf(':', start, at - start) : -1;
        if (colon >= 0)
        {
            masked.Append(url, 0, colon + 1).Append(Mask);
            start = at;
        }
        else
        {
            masked.Append(url, 0, start);
        }

        int query = url.IndexOf('?', start);
        if (query < 0)
        {
            return masked.Append(url, start, url.Length - start).ToString();
        }

        masked.Append(url, start, query + 1 - start);
        string[] pairs = url[(query + 1)..].Split('&');
        for (int i = 0; i < pairs.Length; i++)
        {
            int equals = pairs[i].IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? pairs[i] : pairs[i][..equals];
            string decoded = TryDecode(name) ?? name;
            bool secret = decoded.Contains("password", StringComparison.OrdinalIgnoreCase)
                || decoded.Equals("passfile", StringComparison.OrdinalIgnoreCase);
            masked.Append(i == 0 ? string.Empty : "&").Append(secret && equals >= 0 ? name + "=" + Mask : pairs[i]);
        }

        return masked.ToString();
    }

    private static ParsedPostgresAddress ParseConnectionString(string text)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's messages name the keyword at fault, never a value; the text itself is not repeated.
            throw new FormatException(
                $"The database is neither a postgres:// URL nor a valid Npgsql connection string ({ex.Message}). " +
                "Give a URL such as postgres://user:password@localhost:5432/database?sslmode=disable, or a connection string such as Host=localhost;Database=planner;Username=planner.");
        }

        if (builder.Count == 0)
        {
            throw new FormatException("The database is empty: give a postgres:// URL or an Npgsql connection string.");
        }

        return new ParsedPostgresAddress { ConnectionString = builder.ConnectionString };
    }

    private static ParsedPostgresAddress ParseUrl(string url)
    {
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal) + 3;
        string rest = url[schemeEnd..];
        if (rest.Contains('#', StringComparison.Ordinal))
        {
            throw Invalid(url, "it has a '#' fragment; percent-encode '#' in a password as %23");
        }

        string query = string.Empty;
        int questionMark = rest.IndexOf('?', StringComparison.Ordinal);
        if (questionMark >= 0)
        {
            query = rest[(questionMark + 1)..];
            rest = rest[..questionMark];
        }

        string authority = rest;
        string path = string.Empty;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            authority = rest[..slash];
            path = rest[(slash + 1)..];
        }

        var builder = new NpgsqlConnectionStringBuilder();
        string hosts = authority;
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = authority[..at];
            hosts = authority[(at + 1)..];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            string user = colon >= 0 ? userInfo[..colon] : userInfo;
            if (user.Length > 0)
            {
                builder.Username = Decode(url, user, "user name");
            }

            if (colon >= 0)
            {
                // The password's own text never goes into a message, not even the part that failed to decode.
                builder.Password = TryDecode(userInfo[(colon + 1)..]) ?? throw Invalid(url, "the password has a malformed percent-encoding ('%' must be followed by two hexadecimal digits; write '%' itself as %25)");
            }
        }

        if (hosts.Length > 0)
        {
            SetHosts(url, hosts, builder);
        }

        if (path.Length > 0)
        {
            string database = Decode(url, path, "database name");
            if (database.Contains('/', StringComparison.Ordinal))
            {
                throw Invalid(url, $"the path '/{path}' must be a single database name");
            }

            builder.Database = database;
        }

        string? table = null;
        TimeSpan? statementTimeout = null;
        var warnings = new List<string>();
        if (query.Length > 0)
        {
            foreach (string pair in query.Split('&'))
            {
                if (pair.Length == 0)
                {
                    continue;
                }

                int equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw Invalid(url, $"the query parameter '{pair}' must be name=value");
                }

                string name = Decode(url, pair[..equals], "query parameter name");
                bool secret = name.Contains("password", StringComparison.OrdinalIgnoreCase);
                string value = secret
                    ? TryDecode(pair[(equals + 1)..]) ?? throw Invalid(url, $"the {name} parameter has a malformed percent-encoding")
                    : Decode(url, pair[(equals + 1)..], $"value of {name}");
                switch (name)
                {
                    case "x-migrations-table":
                        table = value;
                        break;
                    case "x-statement-timeout":
                        statementTimeout = TimeSpan.FromMilliseconds(ParseInteger(url, name, value, 1, int.MaxValue));
                        break;
                    default:
                        if (name.StartsWith("x-", StringComparison.Ordinal))
                        {
                            warnings.Add($"the URL parameter {name} is golang-migrate's and has no meaning here; it was ignored");
                        }
                        else
                        {
                            SetParameter(url, builder, name, value);
                        }

                        break;
                }
            }
        }

        return new ParsedPostgresAddress { ConnectionString = builder.ConnectionString, HistoryTable = table, StatementTimeout = statementTimeout, Warnings = warnings };
    }
}
