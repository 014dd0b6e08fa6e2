using System.Globalization;
using MigrationKit.Postgres;
using Npgsql;

namespace MigrationKit.Fleet;

/// <summary>
/// Finds a fleet's targets: the databases of a server, or the schemas of a database, whose names match a SQL
/// <c>LIKE</c> pattern, or the lines of a targets file; and puts them in the fleet's stable order.
/// </summary>
public static class FleetTargets
{
    /// <summary>
    /// Lists the databases of a server whose names match a SQL <c>LIKE</c> pattern (<c>tenant_%</c>; <c>_</c> matches
    /// any one character, <c>\</c> escapes), without templates and databases that do not allow connections.
    /// </summary>
    /// <param name="connectionString">A connection to any database of the server (such as <c>postgres</c>); each target gets it with its own database.</param>
    /// <param name="pattern">The <c>LIKE</c> pattern.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One database target per database, in the fleet's order.</returns>
    /// <exception cref="MigrationConnectionException">The server could not be reached; the message never holds the password.</exception>
    public static async Task<IReadOnlyList<FleetTarget>> DiscoverDatabasesAsync(string connectionString, string pattern, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        IReadOnlyList<string> names = await QueryAsync(connectionString, FleetSql.Databases, pattern, cancellationToken).ConfigureAwait(false);
        return Order(names.Select(name => new FleetTarget(new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString)));
    }

    /// <summary>
    /// Lists the schemas of one database whose names match a SQL <c>LIKE</c> pattern, without PostgreSQL's own
    /// (<c>pg_*</c>, <c>information_schema</c>). Each is a schema target: its history table in the schema, its scripts
    /// run with the schema first on the search path.
    /// </summary>
    /// <param name="connectionString">The database.</param>
    /// <param name="pattern">The <c>LIKE</c> pattern.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One schema target per schema, in the fleet's order.</returns>
    /// <exception cref="MigrationConnectionException">The server could not be reached; the message never holds the password.</exception>
    public static async Task<IReadOnlyList<FleetTarget>> DiscoverSchemasAsync(string connectionString, string pattern, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        IReadOnlyList<string> names = await QueryAsync(connectionString, FleetSql.Schemas, pattern, cancellationToken).ConfigureAwait(false);
        return Order(names.Select(name => new FleetTarget(connectionString, name)));
    }

    /// <summary>
    /// Reads a targets file's text: one database a line, as a <c>postgres://</c> URL or an Npgsql connection string;
    /// blank lines and lines starting with <c>#</c> are ignored (a <c>#</c> later in a line is part of it).
    /// </summary>
    /// <param name="text">The file's text.</param>
    /// <param name="origin">The file's name, for messages.</param>
    /// <returns>The targets, in the fleet's order.</returns>
    /// <exception cref="FormatException">A line is neither a URL nor a connection string; the message names the line, never a password.</exception>
    public static IReadOnlyList<FleetTarget> Parse(string text, string origin = "the targets")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(origin);
        var targets = new List<FleetTarget>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string where = string.Create(CultureInfo.InvariantCulture, $"{origin}, line {i + 1}");
            ParsedPostgresAddress parsed;
            try
            {
                parsed = PostgresAddress.Parse(line);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"{where}: {ex.Message}", ex);
            }

            if (parsed.HistoryTable is not null || parsed.StatementTimeout is not null || parsed.Warnings.Count > 0)
            {
                string what = parsed.HistoryTable is not null ? "x-migrations-table" : parsed.StatementTimeout is not null ? "x-statement-timeout" : parsed.Warnings[0];
                throw new FormatException(
                    $"{where}: {what} has no place in a targets file: every target of a fleet has the same history table and settings. " +
                    "Remove it, and give the fleet's --table or --statement-timeout (MigrationOptions) instead.");
            }

            targets.Add(new FleetTarget(parsed.ConnectionString));
        }

        return Order(targets);
    }

    /// <summary>Reads a targets file (see <see cref="Parse"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The targets, in the fleet's order.</returns>
    /// <exception cref="FormatException">A line is neither a URL nor a connection string.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static async Task<IReadOnlyList<FleetTarget>> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The targets file {path} does not exist (full path {Path.GetFullPath(path)}).", path);
        }

        string text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text, path);
    }

    /// <summary>Puts targets in the fleet's stable order: by server, then database, then schema (ordinal, database targets first).</summary>
    /// <param name="targets">The targets.</param>
    /// <returns>The same targets, ordered.</returns>
    public static IReadOnlyList<FleetTarget> Order(IEnumerable<FleetTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return [.. targets
            .OrderBy(t => t.Server, StringComparer.Ordinal)
            .ThenBy(t => t.Database, StringComparer.Ordinal)
            .ThenBy(t => t.Schema is not null)
            .ThenBy(t => t.Schema, StringComparer.Ordinal)];
    }

    private static async Task<IReadOnlyList<string>> QueryAsync(string connectionString, string sql, string pattern, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (PostgresConnectionErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                throw PostgresConnectionErrors.Describe(ex, connectionString);
            }

            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = pattern });
                var names = new List<string>();
                NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        names.Add(reader.GetString(0));
                    }
                }

                return names;
            }
        }
    }
}
