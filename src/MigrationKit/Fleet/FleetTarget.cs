using System.Globalization;
using Npgsql;

namespace MigrationKit.Fleet;

/// <summary>
/// One target of a fleet: a database (an Npgsql connection string) and, for a schema-per-tenant database, one schema
/// of it. A target is migrated by one ordinary run with its own lock; its history table lives in its schema (or, for a
/// database target, in <see cref="MigrationOptions.Schema"/>).
/// </summary>
/// <remarks>
/// Nothing of a target shown to people carries its password: <see cref="ToString"/>, <see cref="Name"/> and the
/// report are built from host, port, user and database only.
/// </remarks>
public sealed class FleetTarget
{
    /// <summary>Creates a target.</summary>
    /// <param name="connectionString">The Npgsql connection string of the database.</param>
    /// <param name="schema">
    /// The target's schema, or <see langword="null"/> for a database target. A schema target keeps its history table in
    /// that schema, its scripts run with the schema first on the search path, and <c>${schema}</c> is its name.
    /// </param>
    /// <exception cref="ArgumentException">The connection string is empty or not one Npgsql reads, or the schema is empty.</exception>
    public FleetTarget(string connectionString, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (schema is not null && schema.Length == 0)
        {
            throw new ArgumentException("A schema target needs a schema name; pass null for a database target.", nameof(schema));
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's messages name the keyword at fault, never a value.
            throw new ArgumentException($"The connection string is not one Npgsql reads ({ex.Message}).", nameof(connectionString));
        }

        ConnectionString = connectionString;
        Schema = schema;
        string host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        Server = host.Contains(',', StringComparison.Ordinal) || host.StartsWith('/') ? host
            : host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{builder.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}";
        Username = string.IsNullOrEmpty(builder.Username) ? null : builder.Username;
        Database = builder.Database ?? Username ?? string.Empty;
        Name = Username is null ? $"postgres://{Server}/{Database}" : $"postgres://{Username}@{Server}/{Database}";
    }

    /// <summary>Gets the Npgsql connection string, password included: for Npgsql only, never for output.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the target's schema, or <see langword="null"/> for a database target.</summary>
    public string? Schema { get; }

    /// <summary>Gets the server, as <c>host:port</c> (the host list of a multi-host connection string).</summary>
    public string Server { get; }

    /// <summary>Gets the database.</summary>
    public string Database { get; }

    /// <summary>Gets the user, when the connection string names one.</summary>
    public string? Username { get; }

    /// <summary>Gets the target as a URL without password, such as <c>postgres://app@pg1:5432/saas</c>.</summary>
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>, and the schema of a schema target: never the password.</summary>
    /// <returns>The target as people read it.</returns>
    public override string ToString() => Schema is null ? Name : $"{Name} schema {Schema}";
}
