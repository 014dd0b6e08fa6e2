using System.Globalization;
using System.Text;
using Npgsql;

namespace MigrationKit.Fleet;

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
internal static class PostgresAddress
{
    public const string Mask = "***";

    private static readonly string[] Schemes = ["postgres://", "postgresql://"];

    /// <summary>Reads a URL or a connection string.</summary>
    /// <exception cref="FormatException">It is neither, or malformed; the message never holds the password.</exception>
    public static Result Parse(string value)
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

    private static Result ParseConnectionString(string text)
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

        return new Result(builder, null, null, []);
    }

    private static Result ParseUrl(string url)
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

        return new Result(builder, table, statementTimeout, warnings);
    }

    private static void SetHosts(string url, string hosts, NpgsqlConnectionStringBuilder builder)
    {
        var parsed = new List<(string Host, int? Port)>();
        foreach (string part in hosts.Split(','))
        {
            string host;
            string? port = null;
            if (part.StartsWith('['))
            {
                int close = part.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    throw Invalid(url, $"the IPv6 host '{part}' has no closing ']'");
                }

                host = Decode(url, part[1..close], "host");
                string after = part[(close + 1)..];
                if (after.Length > 0)
                {
                    port = after.StartsWith(':') ? after[1..] : throw Invalid(url, $"'{after}' after the IPv6 host [{host}] must be :port");
                }
            }
            else
            {
                int colon = part.IndexOf(':', StringComparison.Ordinal);
                if (colon >= 0 && part.IndexOf(':', colon + 1) >= 0)
                {
                    throw Invalid(url, $"the host '{part}' has several ':'; write an IPv6 address in brackets, such as [::1]:5432");
                }

                host = colon >= 0 ? part[..colon] : part;
                port = colon >= 0 ? part[(colon + 1)..] : null;
                host = Decode(url, host, "host");
            }

            if (host.Length == 0 && hosts.Contains(',', StringComparison.Ordinal))
            {
                throw Invalid(url, "a host of the list is empty");
            }

            parsed.Add((host, port is null ? null : ParseInteger(url, "port", port, 1, 65535)));
        }

        if (parsed.Count == 1)
        {
            if (parsed[0].Host.Length > 0)
            {
                builder.Host = parsed[0].Host;
            }

            if (parsed[0].Port is { } port)
            {
                builder.Port = port;
            }

            return;
        }

        builder.Host = string.Join(',', parsed.Select(p =>
        {
            string host = p.Host.Contains(':', StringComparison.Ordinal) ? $"[{p.Host}]" : p.Host;
            return p.Port is { } port ? $"{host}:{port.ToString(CultureInfo.InvariantCulture)}" : host;
        }));
    }

    /// <summary>libpq's parameter names, mapped onto Npgsql's; anything else is tried as an Npgsql keyword.</summary>
    private static void SetParameter(string url, NpgsqlConnectionStringBuilder builder, string name, string value)
    {
        switch (name)
        {
            case "sslmode":
                builder.SslMode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw Invalid(url, $"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
                };
                return;
            case "sslrootcert":
                builder.RootCertificate = value;
                return;
            case "sslcert":
                builder.SslCertificate = value;
                return;
            case "sslkey":
                builder.SslKey = value;
                return;
            case "sslpassword":
                builder.SslPassword = value;
                return;
            case "connect_timeout":
                builder.Timeout = ParseInteger(url, name, value, 0, 1024);
                return;
            case "application_name":
                builder.ApplicationName = value;
                return;
            case "options":
                builder.Options = value;
                return;
            case "target_session_attrs":
                builder.TargetSessionAttributes = value;
                return;
            case "search_path":
                builder.SearchPath = value;
                return;
            case "user":
                builder.Username = value;
                return;
            case "password":
                builder.Password = value;
                return;
            case "dbname":
                builder.Database = value;
                return;
            case "host":
                builder.Host = value;
                return;
            case "port":
                builder.Port = ParseInteger(url, name, value, 1, 65535);
                return;
        }

        try
        {
            builder[name] = value;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw Invalid(url, $"the query parameter '{name}' is neither a libpq parameter MigrationKit maps (sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name, options, target_session_attrs, search_path) nor an Npgsql connection string keyword with a valid value");
        }
    }

    private static int ParseInteger(string url, string what, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw Invalid(url, $"the {what} '{text}' is not a whole number from {min} to {max}");
        }

        return value;
    }

    private static string Decode(string url, string text, string what) =>
        TryDecode(text) ?? throw Invalid(url, $"the {what} '{text}' has a malformed percent-encoding ('%' must be followed by two hexadecimal digits)");

    /// <summary>Percent-decodes UTF-8; <see langword="null"/> when a '%' is not followed by two hex digits or the bytes are not UTF-8.</summary>
    private static string? TryDecode(string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        int plain = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(text[plain..i]));
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                return null;
            }

            bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            i += 2;
            plain = i + 1;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(text[plain..]));
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static FormatException Invalid(string url, string reason) =>
        new($"The database URL {MaskPassword(url)} is not valid: {reason}.");

    /// <summary>What an address holds.</summary>
    /// <param name="Builder">The Npgsql connection string, password included: for Npgsql only, never for output.</param>
    /// <param name="Table">golang-migrate's <c>x-migrations-table</c> parameter, when the URL had one.</param>
    /// <param name="StatementTimeout">golang-migrate's <c>x-statement-timeout</c> parameter, when the URL had one.</param>
    /// <param name="Warnings">What was ignored, to tell the user.</param>
    internal sealed record Result(NpgsqlConnectionStringBuilder Builder, string? Table, TimeSpan? StatementTimeout, IReadOnlyList<string> Warnings);
}
