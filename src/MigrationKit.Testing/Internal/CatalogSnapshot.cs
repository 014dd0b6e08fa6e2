using System.Data;
using System.Text;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The schema of one database as PostgreSQL's catalog describes it, normalised into entries sorted by identity, so that
/// two snapshots compare object by object (<see cref="CatalogDiff"/>): schemas, extensions, tables, columns (type,
/// collation, nullability, default, identity, generation), constraints, indexes, sequences (not their current values),
/// views, materialized views, functions, procedures and aggregates (signature and body), triggers, enum, domain,
/// composite, range and base types, policies, rules, extended statistics objects (not the statistics), and comments.
/// </summary>
/// <remarks>
/// No OID is kept; column order is not compared (PostgreSQL cannot put a column back where it was, so a down script
/// could never restore it), nor owners and privileges. Objects of extensions and MigrationKit's history tables
/// (<see cref="CatalogScope"/>) are left out.
/// </remarks>
internal sealed class CatalogSnapshot
{
    private readonly Dictionary<string, CatalogEntry> byIdentity;

    private CatalogSnapshot(List<CatalogEntry> entries)
    {
        entries.Sort((a, b) => string.CompareOrdinal(a.Identity, b.Identity));
        Entries = entries;
        byIdentity = new Dictionary<string, CatalogEntry>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            byIdentity[entry.Identity] = entry;
        }
    }

    /// <summary>Gets the entries, sorted by identity (ordinal).</summary>
    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>Gets the snapshot as text, one entry after another (a function or view spans several lines).</summary>
    public IEnumerable<string> Lines => Entries.Select(e => e.ToString());

    /// <summary>Builds a snapshot from entries (for tests of the comparison); identities must be unique.</summary>
    public static CatalogSnapshot FromEntries(IEnumerable<CatalogEntry> entries) => new([.. entries]);

    /// <summary>Reads the snapshot of the database behind <paramref name="dataSource"/>, in one read-only transaction.</summary>
    public static async Task<CatalogSnapshot> ReadAsync(NpgsqlDataSource dataSource, CatalogScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadAsync(connection, scope, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the snapshot of the database <paramref name="connection"/> (open, not in a transaction) is connected to.</summary>
    public static async Task<CatalogSnapshot> ReadAsync(NpgsqlConnection connection, CatalogScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scope);
        var rows = new List<Row>(256);
        var comments = new List<(uint ClassId, uint ObjectId, int SubId, string Text)>();
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var batch = new NpgsqlBatch(connection, transaction);
            await using (batch.ConfigureAwait(false))
            {
                // Settings for this transaction only: names printed schema-qualified, and nothing written.
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"));
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_catalog.set_config('search_path', '', true)"));
                foreach (var (sql, usesScope) in CatalogSql.ObjectQueries)
                {
                    var command = new NpgsqlBatchCommand(sql);
                    if (usesScope)
                    {
                        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = scope.HistorySchema });
                        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. scope.HistoryTables] });
                    }

                    batch.BatchCommands.Add(command);
                }

                batch.BatchCommands.Add(new NpgsqlBatchCommand(CatalogSql.Comments));
                var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    // The set_config result comes first; then one result per object query; then the comments.
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    for (var query = 0; query < CatalogSql.ObjectQueries.Count; query++)
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            rows.Add(new Row(
                                reader.GetString(0),
                                NullableString(reader, 1),
                                reader.GetString(2),
                                NullableString(reader, 3),
                                NullableString(reader, 4),
                                NullableString(reader, 5),
                                NullableString(reader, 6),
                                NullableString(reader, 7) ?? string.Empty,
                                reader.GetFieldValue<uint>(8),
                                reader.GetFieldValue<uint>(9),
                                reader.GetInt32(10)));
                        }

                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    }

                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        comments.Add((reader.GetFieldValue<uint>(0), reader.GetFieldValue<uint>(1), reader.GetInt32(2), reader.GetString(3)));
                    }
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return Build(rows, comments, scope);
    }

    /// <summary>Quotes an identifier as PostgreSQL does in a quoted identifier: in double quotes, inner quotes doubled.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Finds the entry with this identity, or <see langword="null"/>.</summary>
    public CatalogEntry? Find(string identity) => byIdentity.GetValueOrDefault(identity);

    /// <inheritdoc/>
    public override string ToString() => string.Join('\n', Lines);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static CatalogSnapshot Build(List<Row> rows, List<(uint ClassId, uint ObjectId, int SubId, string Text)> comments, CatalogScope scope)
    {
        var entries = new List<CatalogEntry>(rows.Count + comments.Count);
        var identities = new HashSet<string>(StringComparer.Ordinal);
        var byAddress = new Dictionary<(uint, uint, int), string>();
        foreach (var row in rows)
        {
            if (row.Kind == "schema" && row.Name == scope.HistorySchema)
            {
                // The runner creates the history schema on its first run: its existence is MigrationKit's, not a migration's.
                continue;
            }

            var identity = Unique(IdentityOf(row), identities);
            entries.Add(new CatalogEntry(identity, Normalise(row.Definition), ParentOf(row)));
            byAddress[(row.ClassId, row.ObjectId, row.SubId)] = identity;
        }

        foreach (var (classId, objectId, subId, text) in comments)
        {
            if (byAddress.TryGetValue((classId, objectId, subId), out var target))
            {
                entries.Add(new CatalogEntry(Unique("comment on " + target, identities), Literal(text), target));
            }
        }

        return new CatalogSnapshot(entries);
    }

    private static string IdentityOf(Row row) => row.Kind switch
    {
        "schema" or "extension" => $"{row.Kind} {Quote(row.Name)}",
        "column" => $"column {Quote(row.Name)} of {Qualified(row.OwnerSchema, row.OwnerName)}",
        "constraint" when row.OwnerKind == "domain" => $"constraint {Quote(row.Name)} on domain {Qualified(row.OwnerSchema, row.OwnerName)}",
        "constraint" or "index" or "trigger" or "policy" or "rule" => $"{row.Kind} {Quote(row.Name)} on {Qualified(row.OwnerSchema, row.OwnerName)}",
        "function" or "procedure" or "aggregate" => $"{row.Kind} {Qualified(row.Schema, row.Name)}({row.Args})",
        _ => $"{row.Kind} {Qualified(row.Schema, row.Name)}",
    };

    private static string? ParentOf(Row row) => row.Kind switch
    {
        "schema" or "extension" => null,
        _ when row.OwnerName is not null => $"{row.OwnerKind} {Qualified(row.OwnerSchema, row.OwnerName)}",
        _ => row.Schema is null ? null : $"schema {Quote(row.Schema)}",
    };

    private static string Qualified(string? schema, string? name) => Quote(schema ?? string.Empty) + "." + Quote(name ?? string.Empty);

    /// <summary>Two objects never share an identity in PostgreSQL; should they here, the second is told apart, not lost.</summary>
    private static string Unique(string identity, HashSet<string> identities)
    {
        var candidate = identity;
        for (var n = 2; !identities.Add(candidate); n++)
        {
            candidate = $"{identity} #{n}";
        }

        return candidate;
    }

    /// <summary>Line ends as LF, no trailing blanks on a line, none at the end.</summary>
    private static string Normalise(string definition)
    {
        if (definition.Length == 0)
        {
            return definition;
        }

        var lines = definition.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var text = new StringBuilder(definition.Length);
        foreach (var line in lines)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(line.TrimEnd());
        }

        return text.ToString().TrimEnd();
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private sealed record Row(
        string Kind, string? Schema, string Name, string? Args, string? OwnerKind, string? OwnerSchema, string? OwnerName,
        string Definition, uint ClassId, uint ObjectId, int SubId);
}
