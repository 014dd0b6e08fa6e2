using MigrationKit.Postgres;
using Npgsql;

namespace MigrationKit.Cli.Connection;

/// <summary>
/// Reads what <c>--database</c> or <c>DATABASE_URL</c> holds: a <c>postgres://</c> (or <c>postgresql://</c>) URL as
/// libpq and golang-migrate write them, or an Npgsql connection string, which is passed through. The parsing is the
/// library's (<see cref="PostgresAddress"/>), shared with a fleet's targets file.
/// </summary>
internal static class DatabaseAddress
{
    public const string Mask = PostgresAddress.Mask;

    /// <summary>Reads a URL or a connection string.</summary>
    /// <exception cref="CliUsageException">It is neither, or malformed; the message never holds the password.</exception>
    public static DatabaseTarget Parse(string value)
    {
        ParsedPostgresAddress parsed;
        try
        {
            parsed = PostgresAddress.Parse(value);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        return new DatabaseTarget(new NpgsqlConnectionStringBuilder(parsed.ConnectionString), parsed.HistoryTable, parsed.StatementTimeout, parsed.Warnings);
    }

    /// <summary>Returns a URL with its password (and any password parameter) replaced by <c>***</c>.</summary>
    public static string MaskPassword(string url) => PostgresAddress.MaskPassword(url);
}
