namespace MigrationKit.Postgres;

/// <summary>What <see cref="PostgresAddress.Parse"/> read from a URL or a connection string.</summary>
public sealed record ParsedPostgresAddress
{
    /// <summary>Gets the Npgsql connection string.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Gets golang-migrate's <c>x-migrations-table</c> from the URL, when given.</summary>
    public string? HistoryTable { get; init; }

    /// <summary>Gets golang-migrate's <c>x-statement-timeout</c> from the URL, when given.</summary>
    public TimeSpan? StatementTimeout { get; init; }

    /// <summary>Gets what was ignored, as sentences (golang-migrate's other <c>x-</c> parameters); never the password.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
