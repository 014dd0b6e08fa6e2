using Npgsql;

namespace MigrationKit.Cli.Connection;

/// <summary>
/// The database a command works on: the Npgsql connection string built from <c>--database</c> or
/// <c>DATABASE_URL</c>, and what a person may be shown of it (never the password).
/// </summary>
internal sealed class DatabaseTarget
{
    public DatabaseTarget(NpgsqlConnectionStringBuilder builder, string? tableFromUrl = null, TimeSpan? statementTimeoutFromUrl = null, IReadOnlyList<string>? warnings = null)
    {
        // A command runs once and exits: an idle pooled connection would only be cut when the process ends.
        // NpgsqlConnectionStringBuilder.ContainsKey answers for every known keyword; the text holds only those set.
        if (!new System.Data.Common.DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey("Pooling"))
        {
            builder.Pooling = false;
        }

        ConnectionString = builder.ConnectionString;
        Host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        Port = builder.Port;
        Database = builder.Database;
        Username = builder.Username;
        Password = string.IsNullOrEmpty(builder.Password) ? null : builder.Password;
        TableFromUrl = tableFromUrl;
        StatementTimeoutFromUrl = statementTimeoutFromUrl;
        Warnings = warnings ?? [];
    }

    /// <summary>Gets the Npgsql connection string, password included: for Npgsql only, never for output.</summary>
    public string ConnectionString { get; }

    public string Host { get; }

    public int Port { get; }

    public string? Database { get; }

    public string? Username { get; }

    /// <summary>Gets the password, only so that output can be checked for it; never printed.</summary>
    public string? Password { get; }

    /// <summary>Gets golang-migrate's <c>x-migrations-table</c> parameter, when the URL had one.</summary>
    public string? TableFromUrl { get; }

    /// <summary>Gets golang-migrate's <c>x-statement-timeout</c> parameter, when the URL had one.</summary>
    public TimeSpan? StatementTimeoutFromUrl { get; }

    /// <summary>Gets what was ignored in the URL, to tell the user.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Returns <c>database "planner" on localhost:5432 as planner</c>: where, never the password.</summary>
    public override string ToString()
    {
        string where = Host.Contains(',', StringComparison.Ordinal) || Host.StartsWith('/') ? Host
            : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}"
            : $"{Host}:{Port}";
        string database = Database ?? Username ?? "(default)";
        return Username is null ? $"database \"{database}\" on {where}" : $"database \"{database}\" on {where} as {Username}";
    }
}
