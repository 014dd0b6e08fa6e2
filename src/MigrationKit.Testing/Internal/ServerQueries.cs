using System.Globalization;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>The few statements a <see cref="PostgresServer"/> runs on its maintenance connection.</summary>
internal static class ServerQueries
{
    /// <summary>Returns <paramref name="connectionString"/> with pooling off, for short administrative connections.</summary>
    public static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    /// <summary>Queries the server version (<c>server_version_num</c>) as major.minor (major.minor.patch before 10).</summary>
    public static async Task<Version> QueryVersionAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var text = await ScalarAsync(connectionString, "SELECT current_setting('server_version_num')", cancellationToken).ConfigureAwait(false);
        return ParseVersionNumber(text);
    }

    /// <summary>Turns a <c>server_version_num</c> such as 150018 into 15.18 (90624 into 9.6.24).</summary>
    public static Version ParseVersionNumber(string text)
    {
        var number = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return number >= 100000
            ? new Version(number / 10000, number % 10000)
            : new Version(number / 10000, number / 100 % 100, number % 100);
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of the first row as text.</summary>
    public static async Task<string> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }
    }

    /// <summary>Runs <paramref name="sql"/> (no results) on a new connection.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes the idle pooled connections of <paramref name="connectionString"/> (busy ones close when returned).</summary>
    public static void ClearPool(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(connection);
    }
}
