using System.Globalization;
using System.Text;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>The parts of a URL: hosts and ports, query parameters, percent-decoding, and the errors that mask the password.</summary>
public static partial class PostgresAddress
{
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
}
