using System.Globalization;
using System.Text;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>The files a test PgBouncer reads from its folder: <c>pgbouncer.ini</c>, the hba file and the auth file.</summary>
internal static class PgBouncerConfiguration
{
    /// <summary>The name of the configuration file in the folder.</summary>
    public const string FileName = "pgbouncer.ini";

    /// <summary>The name of the hba file (<see cref="PgBouncerHba"/>) in the folder.</summary>
    public const string HbaFileName = "hba.conf";

    /// <summary>The name of the auth file in the folder.</summary>
    public const string AuthFileName = "users.txt";

    /// <summary>
    /// Writes <c>users.txt</c>, readable by <paramref name="user"/> (who runs PgBouncer) alone: the <c>auth_user</c>
    /// and its password. Only the auth_user is listed: every other role is looked up on the server with auth_query.
    /// </summary>
    public static async Task WriteAuthFileAsync(string folder, string adminUser, string? password, ServerUser user, CancellationToken cancellationToken)
    {
        static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var path = Path.Combine(folder, AuthFileName);
        if (!OperatingSystem.IsWindows())
        {
            await File.WriteAllTextAsync(path, string.Empty, cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await user.TakeOwnershipAsync(path, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(path, $"{Quote(adminUser)} {Quote(password ?? string.Empty)}\n", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns <c>pgbouncer.ini</c> for PgBouncer on loopback <paramref name="port"/>: every database name forwarded to
    /// <paramref name="server"/>, clients authenticated by the hba file, <paramref name="adminUser"/> as the auth_user and
    /// admin, and <paramref name="settings"/> (pool mode and size, extra settings last, so they win).
    /// </summary>
    public static string Render(string folder, int port, NpgsqlConnectionStringBuilder server, string adminUser, PgBouncerSettings settings)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listen_addr"] = "127.0.0.1",
            ["listen_port"] = port.ToString(CultureInfo.InvariantCulture),
            ["unix_socket_dir"] = string.Empty,
            ["pidfile"] = Path.Combine(folder, PgBouncer.PidFileName),
            ["pool_mode"] = settings.PoolMode == PgBouncerPoolMode.Transaction ? "transaction" : "session",
            ["default_pool_size"] = settings.DefaultPoolSize.ToString(CultureInfo.InvariantCulture),
            ["min_pool_size"] = "0",
            ["reserve_pool_size"] = "0",
            ["max_client_conn"] = settings.MaxClientConnections.ToString(CultureInfo.InvariantCulture),
            ["auth_type"] = "hba",
            ["auth_hba_file"] = Path.Combine(folder, HbaFileName),
            ["auth_file"] = Path.Combine(folder, AuthFileName),
            ["auth_user"] = adminUser,
            ["admin_users"] = adminUser,
            ["stats_users"] = adminUser,
            ["ignore_startup_parameters"] = settings.IgnoreStartupParameters,
            ["server_login_retry"] = Math.Max(0, (int)Math.Ceiling(settings.ServerLoginRetry.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in settings.ExtraSettings)
        {
            values[name] = value;
        }

        var text = new StringBuilder();
        text.Append("; Written by MigrationKit.Testing for a test PgBouncer.\n[databases]\n");
        text.Append(CultureInfo.InvariantCulture, $"* = host={server.Host} port={server.Port}\n\n[pgbouncer]\n");
        foreach (var (name, value) in values)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name} = {value}\n");
        }

        return text.ToString();
    }
}
