using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// The history table: reading it as it is (MigrationKit's, golang-migrate's, or none), creating it, adopting
/// golang-migrate's in place, and the history writes of force, baseline and repair.
/// </summary>
internal sealed class PostgresHistory(SessionConnection session, HistorySql sql)
{
    private const string NothingChanged = "Nothing was changed. Run again once the server is reachable.";

    /// <summary>A MigrationKit history of the current shape read under the lock: preparing it again needs no round trip.</summary>
    private MigrationHistory? _verified;

    public Task<MigrationHistory> ReadAsync(CancellationToken cancellationToken) =>
        session.GuardAsync(
            () => ReadCoreAsync(cancellationToken),
            $"reading the history table {sql.QualifiedTable}",
            NothingChanged,
            cancellationToken);

    /// <summary>
    /// The applied versions and their dirty flags, or <see langword="null"/> when the history is not MigrationKit's:
    /// two columns instead of eight (with 10,000 applied migrations, decoding the rest costs more than the query).
    /// </summary>
    public Task<IReadOnlyList<AppliedVersion>?> ReadVersionsAsync(CancellationToken cancellationToken) =>
        session.GuardAsync(
            async () =>
            {
                using NpgsqlBatch batch = session.CreateBatch();
                batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.ReadVersions));
                try
                {
                    NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        var rows = new List<AppliedVersion>();
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            rows.Add(new AppliedVersion(reader.GetInt64(0), reader.GetBoolean(1)));
                        }

                        return (IReadOnlyList<AppliedVersion>?)rows;
                    }
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedColumn)
                {
                    return null;
                }
            },
            $"reading the history table {sql.QualifiedTable}",
            NothingChanged,
            cancellationToken);

    /// <summary>Creates the table when missing, adopts golang-migrate's, adds columns an older MigrationKit table lacks; then reads it.</summary>
    public Task<MigrationHistory> PrepareAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken) =>
        session.GuardAsync(
            async () =>
            {
                if (_verified is { } verified && session.LockHeld)
                {
                    return verified;
                }

                (bool schemaExists, string[] columns) = await InspectAsync(cancellationToken).ConfigureAwait(false);
                if (columns.Length == 0)
                {
                    var create = new List<NpgsqlBatchCommand>();
                    if (!schemaExists)
                    {
                        create.Add(new NpgsqlBatchCommand(sql.CreateSchema));
                    }

                    create.Add(new NpgsqlBatchCommand(sql.CreateTable));
                    await session.RunInTransactionAsync(create, cancellationToken).ConfigureAwait(false);
                    session.Logger.HistoryCreated(sql.QualifiedTable);
                    return new MigrationHistory { Format = HistoryFormat.MigrationKit };
                }

                if (IsGolangMigrate(columns))
                {
                    await AdoptGolangMigrateAsync(migrations, cancellationToken).ConfigureAwait(false);
                }
                else if (!HistorySql.RequiredColumns.All(columns.Contains))
                {
                    throw NotHistory(columns);
                }
                else if (!columns.Contains("recorded_as"))
                {
                    await session.RunInTransactionAsync([new NpgsqlBatchCommand(sql.AddKindColumn)], cancellationToken).ConfigureAwait(false);
                }

                return await ReadCoreAsync(cancellationToken).ConfigureAwait(false);
            },
            $"creating or upgrading the history table {sql.QualifiedTable}",
            "Creating or upgrading the table is one transaction, so it happened whole or not at all.",
            cancellationToken);

    public Task ForceAsync(long? version, IReadOnlyList<Migration> recorded, CancellationToken cancellationToken)
    {
        var commands = new List<NpgsqlBatchCommand>
        {
            version is { } v ? SessionConnection.Command(sql.ForceDeleteAbove, v) : new NpgsqlBatchCommand(sql.DeleteAll),
            new(sql.ForceClearDirty),
        };
        if (recorded.Count > 0)
        {
            commands.Add(InsertMany(recorded.Select(m => (m.Version, m.Description, (string?)m.Up.Checksum, false)), HistoryRecordKind.Forced));
        }

        return session.GuardAsync(
            () => session.RunInTransactionAsync(commands, cancellationToken),
            $"forcing {sql.QualifiedTable} to version {MigrationVersion.Format(version)}",
            "Force is one transaction: it happened whole or not at all. Run status to see which, and force again if needed.",
            cancellationToken);
    }

    public Task BaselineAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken) =>
        migrations.Count == 0
            ? Task.CompletedTask
            : session.GuardAsync(
                () => session.RunInTransactionAsync(
                    [InsertMany(migrations.Select(m => (m.Version, m.Description, (string?)m.Up.Checksum, false)), HistoryRecordKind.Baselined)],
                    cancellationToken),
                $"recording a baseline in {sql.QualifiedTable}",
                "The baseline is one transaction: it happened whole or not at all. Run status to see which.",
                cancellationToken);

    public Task RepairAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken) =>
        migrations.Count == 0
            ? Task.CompletedTask
            : session.GuardAsync(
                () => session.RunInTransactionAsync(
                    [SessionConnection.Command(sql.RepairChecksums, migrations.Select(m => m.Version).ToArray(), migrations.Select(m => m.Up.Checksum).ToArray())],
                    cancellationToken),
                $"re-recording checksums in {sql.QualifiedTable}",
                "Repair is one transaction: it happened whole or not at all. Run status to see which.",
                cancellationToken);

    /// <summary>
    /// golang-migrate's table: <c>version</c> and <c>dirty</c>, and none of MigrationKit's own columns. Columns a
    /// folder's scripts added to it (harbor adds <c>data_version</c>) stay through adoption.
    /// </summary>
    private static bool IsGolangMigrate(string[] columns) =>
        columns.Contains("version") && columns.Contains("dirty") && !columns.Contains("description") && !columns.Contains("applied_by");

    private async Task<MigrationHistory> ReadCoreAsync(CancellationToken cancellationToken)
    {
        _verified = null;
        try
        {
            MigrationHistory history = await ReadRowsAsync(sql.ReadHistory, cancellationToken).ConfigureAwait(false);
            _verified = session.LockHeld ? history : null;
            return history;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return MigrationHistory.None;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedColumn)
        {
            // Not the current shape: golang-migrate's table, an older MigrationKit table, or somebody else's table.
        }

        (_, string[] columns) = await InspectAsync(cancellationToken).ConfigureAwait(false);
        if (IsGolangMigrate(columns))
        {
            (long? version, bool dirty) = await ReadGolangMigrateAsync(cancellationToken).ConfigureAwait(false);
            return new MigrationHistory { Format = HistoryFormat.GolangMigrate, GolangMigrateVersion = version, GolangMigrateDirty = dirty };
        }

        return HistorySql.RequiredColumns.All(columns.Contains)
            ? await ReadRowsAsync(sql.ReadHistoryWithoutKind, cancellationToken).ConfigureAwait(false)
            : throw NotHistory(columns);
    }

    private async Task<MigrationHistory> ReadRowsAsync(string query, CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = session.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(query));
        NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var rows = new List<AppliedMigration>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new AppliedMigration
                {
                    Version = reader.GetInt64(0),
                    Description = reader.GetString(1),
                    Checksum = reader.IsDBNull(2) ? null : reader.GetString(2),
                    IsDirty = reader.GetBoolean(3),
                    AppliedAt = reader.GetFieldValue<DateTimeOffset>(4),
                    ExecutionTime = reader.IsDBNull(5) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(5)),
                    AppliedBy = reader.GetString(6),
                    Kind = HistorySql.KindOf(reader.IsDBNull(7) ? null : reader.GetString(7)),
                });
            }

            return new MigrationHistory { Format = HistoryFormat.MigrationKit, Applied = rows };
        }
    }

    private async Task<(long? Version, bool Dirty)> ReadGolangMigrateAsync(CancellationToken cancellationToken)
    {
        var rows = new List<(long Version, bool Dirty)>();
        using (NpgsqlBatch batch = session.CreateBatch())
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.ReadGolangMigrateVersion));
            NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add((reader.GetInt64(0), reader.GetBoolean(1)));
                }
            }
        }

        if (rows.Count > 1)
        {
            throw new MigrationException(
                $"The table {sql.QualifiedTable} looks like golang-migrate's (version, dirty) but holds {rows.Count} rows where golang-migrate keeps one. " +
                "Check which version the schema is at, keep only that row, and run again.");
        }

        // golang-migrate writes -1 (its "nil version") when it has reverted everything.
        return rows.Count == 0 || rows[0].Version < 0 ? (null, rows.Count == 1 && rows[0].Dirty) : (rows[0].Version, rows[0].Dirty);
    }

    /// <summary>
    /// Upgrades golang-migrate's table in place, in one transaction: adds MigrationKit's columns and records every
    /// source migration up to its version as applied (with today's checksums), keeping its dirty flag.
    /// </summary>
    private async Task AdoptGolangMigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        (long? version, bool dirty) = await ReadGolangMigrateAsync(cancellationToken).ConfigureAwait(false);
        var records = version is { } v
            ? migrations.Where(m => m.Version <= v).Select(m => (m.Version, m.Description, (string?)m.Up.Checksum, m.Version == v && dirty)).ToList()
            : [];
        if (version is { } recordedVersion && !migrations.Any(m => m.Version == recordedVersion))
        {
            records.Add((recordedVersion, "recorded by golang-migrate, not in the source", null, dirty));
        }

        var commands = new List<NpgsqlBatchCommand>
        {
            new(sql.UpgradeGolangMigrateTable),
            new(sql.DropDescriptionDefault),
            new(sql.DeleteAll),
        };
        if (records.Count > 0)
        {
            commands.Add(InsertMany(records, HistoryRecordKind.AdoptedFromGolangMigrate));
        }

        await session.RunInTransactionAsync(commands, cancellationToken).ConfigureAwait(false);
        session.Logger.GolangMigrateAdopted(sql.QualifiedTable, MigrationVersion.Format(version), dirty, records.Count);
    }

    private async Task<(bool SchemaExists, string[] Columns)> InspectAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = session.CreateBatch();
        batch.BatchCommands.Add(SessionConnection.Command(HistorySql.Inspect, sql.Schema, sql.Table));
        NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetBoolean(0), reader.GetFieldValue<string[]>(1));
        }
    }

    private MigrationException NotHistory(string[] columns) => new(
        $"The table {sql.QualifiedTable} exists but is not a MigrationKit history table (its columns: {string.Join(", ", columns)}). " +
        $"Point {nameof(MigrationOptions.Schema)} or {nameof(MigrationOptions.TableName)} at another table, or rename that one.");

    private NpgsqlBatchCommand InsertMany(IEnumerable<(long Version, string Description, string? Checksum, bool Dirty)> rows, HistoryRecordKind kind)
    {
        var list = rows.ToList();
        return SessionConnection.Command(
            sql.InsertMany,
            list.Select(r => r.Version).ToArray(),
            list.Select(r => r.Description).ToArray(),
            list.Select(r => r.Checksum).ToArray(),
            list.Select(r => r.Dirty).ToArray(),
            HistorySql.RecordedAs(kind));
    }
}
