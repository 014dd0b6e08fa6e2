using System.Data;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using MigrationKit.Sql;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// One run's dedicated connection: reads the history, holds the advisory lock, and applies scripts together with
/// their history rows.
/// </summary>
/// <remarks>
/// A transactional script goes to the server as one batch, <c>BEGIN; statements…; INSERT history; COMMIT</c>: one
/// round trip, applied whole or not at all. A script that cannot run in a transaction is bracketed by the dirty
/// flag and runs one statement per round trip, so the first failure stops it.
/// </remarks>
internal sealed class PostgresMigrationSession : IMigrationStoreSession
{
    /// <summary>Statements per batch of a large transactional script; each batch is one round trip.</summary>
    private const int MaxStatementsPerBatch = 1000;

    /// <summary>Characters per batch of a large transactional script, so a 50 MB seed file is not copied whole.</summary>
    private const int MaxCharactersPerBatch = 1 << 20;

    /// <summary>
    /// The client-side timeout of a script's statements: none. Npgsql's Command Timeout (30 s by default) would cut an
    /// index build short and report it as a lost connection; a migration's time limit is statement_timeout
    /// (<see cref="MigrationOptions.StatementTimeout"/>), enforced by the server, which reports it as such.
    /// </summary>
    private const int ScriptTimeout = 0;

    private static readonly TimeSpan FirstLockPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxLockPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] RequiredColumns = ["version", "description", "checksum", "dirty", "applied_at", "execution_ms", "applied_by"];

    private readonly NpgsqlConnection _connection;
    private readonly MigrationOptions _options;
    private readonly HistorySql _sql;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _database;
    private readonly List<string> _settings;
    private readonly string _server;
    private long? _lockKeyValue;
    private LockChannel? _lockChannelValue;
    private List<string>? _pendingSettings;
    private bool _lockHeld;
    private bool _listening;
    private bool _used;

    public PostgresMigrationSession(NpgsqlConnection connection, MigrationOptions options, HistorySql sql, List<string> settings, ILogger logger, TimeProvider timeProvider)
    {
        _connection = connection;
        _options = options;
        _sql = sql;
        _logger = logger;
        _time = timeProvider;
        _settings = settings;
        _server = PostgresConnectionErrors.DescribeServer(connection);
        _pendingSettings = settings.Count > 0 ? [.. settings] : null;
        _database = connection.Database;
    }

    public string HistoryTable => _sql.QualifiedTable;

    /// <summary>Gets the session's open connection, for lint's read of the server version and table sizes.</summary>
    internal NpgsqlConnection Connection => _connection;

    /// <summary>
    /// Gets the advisory lock's key, computed on first use: a start-up with nothing pending never locks, and hashing
    /// the key would load the platform's cryptography for nothing (10-15 ms in a new process).
    /// </summary>
    internal long LockKey => _lockKeyValue ??= MigrationLockKey.Compute(_database, _options.Schema, _options.TableName);

    private LockChannel Channel => _lockChannelValue ??= new LockChannel(LockKey);

    public Task<IReadOnlyList<AppliedMigration>?> ReadHistoryAsync(CancellationToken cancellationToken = default) =>
        GuardAsync(
            () => ReadHistoryCoreAsync(cancellationToken),
            $"reading the history table {HistoryTable}",
            "Nothing was changed. Run again once the server is reachable.",
            cancellationToken);

    public Task AcquireLockAsync(CancellationToken cancellationToken = default) =>
        GuardAsync(
            async () =>
            {
                await AcquireLockCoreAsync(cancellationToken).ConfigureAwait(false);
                return true;
            },
            $"waiting for the migration lock of {HistoryTable}",
            "Nothing was changed, and a lock the lost session held went with it. Run again once the server is reachable.",
            cancellationToken);

    private async Task<IReadOnlyList<AppliedMigration>?> ReadHistoryCoreAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.ReadHistory));
        try
        {
            NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            var rows = new List<AppliedMigration>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new AppliedMigration(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetBoolean(3),
                    reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(5)),
                    reader.GetString(6)));
            }

            return rows;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedColumn)
        {
            // No history yet, or golang-migrate's two-column table: PrepareHistoryAsync deals with both under the lock.
            return null;
        }
    }

    /// <summary>
    /// The applied versions and their dirty flags, or <see langword="null"/> when there is no history table yet: all a
    /// start-up needs to tell that nothing is pending, two columns instead of seven (with 10,000 applied migrations,
    /// decoding the rest costs more than the query).
    /// </summary>
    internal Task<IReadOnlyList<(long Version, bool IsDirty)>?> ReadVersionsAsync(CancellationToken cancellationToken) =>
        GuardAsync(
            () => ReadVersionsCoreAsync(cancellationToken),
            $"reading the history table {HistoryTable}",
            "Nothing was changed. Run again once the server is reachable.",
            cancellationToken);

    private async Task<IReadOnlyList<(long Version, bool IsDirty)>?> ReadVersionsCoreAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.ReadVersions));
        try
        {
            NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            var rows = new List<(long, bool)>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), reader.GetBoolean(1)));
            }

            return rows;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedColumn)
        {
            return null;
        }
    }

    private async Task AcquireLockCoreAsync(CancellationToken cancellationToken)
    {
        if (_lockHeld)
        {
            return;
        }

        long started = _time.GetTimestamp();
        TimeSpan poll = FirstLockPoll;
        bool waiting = false;
        while (true)
        {
            if (await TryLockAsync(cancellationToken).ConfigureAwait(false))
            {
                _lockHeld = true;
                if (_listening)
                {
                    _listening = false;
                    await ExecuteAsync(new NpgsqlBatchCommand(Channel.Unlisten), cancellationToken).ConfigureAwait(false);
                }

                double waitedMs = _time.GetElapsedTime(started).TotalMilliseconds;
                _logger.LockAcquired(HistoryTable, LockKey, waitedMs);
                return;
            }

            TimeSpan elapsed = _time.GetElapsedTime(started);
            if (elapsed >= _options.LockTimeout)
            {
                throw await LockTimeoutAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!waiting)
            {
                waiting = true;
                _logger.WaitingForLock(HistoryTable, LockKey, _options.LockTimeout);

                // The holder NOTIFYs the lock's channel as it lets go. Listen, then try again at once, so that a
                // release between the failed try and the LISTEN is not missed.
                await ExecuteAsync(new NpgsqlBatchCommand(Channel.Listen), cancellationToken).ConfigureAwait(false);
                _listening = true;
                continue;
            }

            // Wait idle for the holder's notification, or poll when it does not come (a holder that died sends
            // none). Never block in a statement: a blocked waiter would hold a snapshot, and the holder's
            // CREATE INDEX CONCURRENTLY waits for every older snapshot to go away.
            TimeSpan jittered = poll * (0.75 + (Random.Shared.NextDouble() / 2));
            TimeSpan remaining = _options.LockTimeout - elapsed;
            await WaitForReleaseAsync(jittered < remaining ? jittered : remaining, cancellationToken).ConfigureAwait(false);
            poll = poll * 2 < MaxLockPoll ? poll * 2 : MaxLockPoll;
        }
    }

    /// <summary>Waits for the lock channel's notification, at most <paramref name="timeout"/>.</summary>
    private async Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_time != TimeProvider.System)
        {
            // A test clock: wait on it, as the timeout is measured on it.
            await Task.Delay(timeout, _time, cancellationToken).ConfigureAwait(false);
            return;
        }

        int milliseconds = NotificationWaitMilliseconds(timeout);
        if (milliseconds > 0)
        {
            await _connection.WaitAsync(milliseconds, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The whole milliseconds to pass to Npgsql's <c>WaitAsync</c> for <paramref name="timeout"/>, rounded up, or 0
    /// for no wait at all. Npgsql reads a timeout of 0 as "wait forever", so the sub-millisecond remainder of a lock
    /// timeout must never be truncated to it: that left a waiter stuck past its LockTimeout for good.
    /// </summary>
    internal static int NotificationWaitMilliseconds(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? 0 : (int)Math.Min(Math.Ceiling(timeout.TotalMilliseconds), int.MaxValue);

    public async Task ReleaseLockAsync(CancellationToken cancellationToken = default)
    {
        if (!_lockHeld)
        {
            return;
        }

        _lockHeld = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CleanupTimeout);
            // One round trip: the unlock, then the notification that wakes the waiters (sent when the batch's
            // implicit transaction commits, so after the unlock).
            using var batch = new NpgsqlBatch(_connection);
            batch.BatchCommands.Add(Command(HistorySql.Unlock, LockKey));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Channel.Notify));
            await batch.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
            _logger.LockReleased(HistoryTable, LockKey);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            // The lock belongs to the session: a connection that is closed for good releases it.
            _logger.LockReleaseFailed(HistoryTable, LockKey, ex);
            NpgsqlConnection.ClearPool(_connection);
        }
    }

    public Task<IReadOnlyList<AppliedMigration>> PrepareHistoryAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        RequireLock();
        return GuardAsync(
            () => PrepareHistoryCoreAsync(migrations, cancellationToken),
            $"preparing the history table {HistoryTable}",
            "Creating or upgrading the table is one transaction, so it happened whole or not at all. Run again once the server is reachable.",
            cancellationToken);
    }

    private async Task<IReadOnlyList<AppliedMigration>> PrepareHistoryCoreAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        (bool schemaExists, string[] columns) = await InspectAsync(cancellationToken).ConfigureAwait(false);
        if (columns.Length == 0)
        {
            using NpgsqlBatch batch = CreateBatch();
            if (!schemaExists)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.CreateSchema));
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.CreateTable));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _logger.HistoryCreated(HistoryTable);
            return [];
        }

        if (columns.Length == 2 && columns.Contains("version") && columns.Contains("dirty"))
        {
            await AdoptGolangMigrateAsync(migrations, cancellationToken).ConfigureAwait(false);
        }
        else if (!RequiredColumns.All(columns.Contains))
        {
            throw new MigrationException(
                $"The table {HistoryTable} exists but is not a MigrationKit history table (its columns: {string.Join(", ", columns)}). " +
                $"Point {nameof(MigrationOptions.Schema)} or {nameof(MigrationOptions.TableName)} at another table, or rename that one.");
        }

        return await ReadHistoryAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new MigrationException($"The history table {HistoryTable} could not be read after it was prepared.");
    }

    public async Task<TimeSpan> ApplyAsync(Migration migration, MigrationDirection direction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migration);
        RequireLock();
        MigrationScript script = direction == MigrationDirection.Up
            ? migration.Up
            : migration.Down ?? throw new MigrationException($"Migration {migration} has no down script, so it cannot be reverted.");
        SqlScript parsed = script.Parsed;
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.ScriptText(script.Origin, script.Sql);
        }

        long started = _time.GetTimestamp();
        if (parsed.RunsOutsideTransaction)
        {
            _logger.RunningOutsideTransaction(script.Origin, parsed.OutsideTransactionReason ?? "it controls transactions itself");
            await ApplyOutsideTransactionAsync(migration, direction, script, parsed, started, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (parsed.TransactionShape == TransactionShape.Wrapped)
            {
                _logger.TransactionWrapperRemoved(script.Origin);
            }

            await ApplyInTransactionAsync(migration, direction, script, parsed, cancellationToken).ConfigureAwait(false);
        }

        return _time.GetElapsedTime(started);
    }

    public async Task ForceAsync(long version, Migration? migration, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        RequireLock();
        var commands = new List<NpgsqlBatchCommand>
        {
            Command(_sql.ForceDeleteAbove, version),
            Command(_sql.ForceClearDirty),
        };
        if (version > 0 && migration is not null)
        {
            commands.Add(Command(_sql.ForceInsert, version, migration.Description, migration.Up.Checksum));
        }

        await GuardAsync(
            () => RunInTransactionAsync(commands, cancellationToken),
            $"forcing {HistoryTable} to version {version}",
            "Force is one transaction: it happened whole or not at all. Run status to see which, and force again if needed.",
            cancellationToken).ConfigureAwait(false);
    }

    public async Task BaselineAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        RequireLock();
        if (migrations.Count == 0)
        {
            return;
        }

        await GuardAsync(
            () => RunInTransactionAsync([InsertMany(migrations.Select(m => (m.Version, m.Description, (string?)m.Up.Checksum, false)))], cancellationToken),
            $"recording a baseline in {HistoryTable}",
            "The baseline is one transaction: it happened whole or not at all. Run status to see which.",
            cancellationToken).ConfigureAwait(false);
    }

    public Task DropAsync(CancellationToken cancellationToken = default)
    {
        RequireLock();
        return GuardAsync(
            async () =>
            {
                await DropCoreAsync(cancellationToken).ConfigureAwait(false);
                return true;
            },
            $"dropping every object of schema {_sql.QuotedSchema}",
            "The drop is one transaction: it happened whole or not at all. Run status to see which, and drop again if needed.",
            cancellationToken);
    }

    private async Task DropCoreAsync(CancellationToken cancellationToken)
    {
        var drops = new List<NpgsqlBatchCommand>();
        using (NpgsqlBatch query = CreateBatch())
        {
            query.BatchCommands.Add(Command(HistorySql.DropStatements, _options.Schema));
            NpgsqlDataReader reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                drops.Add(new NpgsqlBatchCommand(reader.GetString(1)));
            }
        }

        if (drops.Count > 0)
        {
            await RunInTransactionAsync(drops, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_lockHeld && _connection.State == ConnectionState.Open)
        {
            await ReleaseLockAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ApplyInTransactionAsync(Migration migration, MigrationDirection direction, MigrationScript script, SqlScript parsed, CancellationToken cancellationToken)
    {
        NpgsqlBatchCommand Record() => direction == MigrationDirection.Up
            ? Command(_sql.InsertApplied, migration.Version, migration.Description, migration.Up.Checksum)
            : Command(_sql.DeleteVersion, migration.Version);

        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await ExecuteTransactionalScriptAsync(parsed.Body, Record(), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ScriptFailure failure) when (failure.Inner is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable }
                && attempt < _options.DdlLockRetries && !cancellationToken.IsCancellationRequested)
            {
                TimeSpan delay = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt), 5000) * (0.75 + (Random.Shared.NextDouble() / 2)));
                _logger.DdlLockRetry(script.Origin, _options.DdlLockTimeout, delay.TotalMilliseconds, attempt + 1, _options.DdlLockRetries);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (ScriptFailure failure)
            {
                throw MigrationErrors.Failed(migration, direction, script, failure.Statement, failure.Inner,
                    outsideTransaction: false, retries: attempt, _options, invalidIndexes: [], failure.Phase);
            }
        }
    }

    /// <summary>
    /// BEGIN, the statements, the history record and COMMIT: one batch, one round trip, unless the script is large
    /// enough to be sent in parts (still one transaction).
    /// </summary>
    private async Task ExecuteTransactionalScriptAsync(IReadOnlyList<SqlStatement> statements, NpgsqlBatchCommand record, CancellationToken cancellationToken)
    {
        int next = 0;
        bool first = true;
        bool begun = false;
        try
        {
            while (true)
            {
                using NpgsqlBatch batch = CreateBatch(ScriptTimeout);
                var owners = new List<(NpgsqlBatchCommand Command, SqlStatement? Statement)>();
                bool opensTransaction = first;
                if (first)
                {
                    owners.Add((new NpgsqlBatchCommand("BEGIN"), null));
                    first = false;
                }

                int characters = 0;
                while (next < statements.Count && owners.Count < MaxStatementsPerBatch && (characters == 0 || characters + statements[next].Length <= MaxCharactersPerBatch))
                {
                    SqlStatement statement = statements[next++];
                    characters += statement.Length;
                    owners.Add((new NpgsqlBatchCommand(statement.Text), statement));
                }

                bool last = next == statements.Count;
                if (last)
                {
                    owners.Add((record, null));
                    owners.Add((new NpgsqlBatchCommand("COMMIT"), null));
                }

                foreach ((NpgsqlBatchCommand command, _) in owners)
                {
                    batch.BatchCommands.Add(command);
                }

                begun = true;
                try
                {
                    await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
                {
                    // The first command without a result is where it failed: BEGIN, a statement, or the history record and COMMIT.
                    int at = owners.FindIndex(o => o.Command.StatementType == Npgsql.StatementType.Unknown);
                    SqlStatement? failed = at >= 0 ? owners[at].Statement : null;
                    FailurePhase phase = failed is not null ? FailurePhase.Script
                        : at == 0 && opensTransaction ? FailurePhase.BeforeScript
                        : FailurePhase.HistoryWrite;
                    throw new ScriptFailure(failed, phase, ex);
                }

                if (last)
                {
                    begun = false;
                    return;
                }
            }
        }
        catch (ScriptFailure failure)
        {
            if (begun)
            {
                await RollbackQuietlyAsync().ConfigureAwait(false);
            }

            if (failure.Inner is OperationCanceledException canceled)
            {
                // Never wrapped: the caller cancelled, and the transaction is rolled back.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(canceled).Throw();
            }

            throw;
        }
    }

    private async Task ApplyOutsideTransactionAsync(Migration migration, MigrationDirection direction, MigrationScript script, SqlScript parsed, long started, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(direction == MigrationDirection.Up
                ? Command(_sql.MarkDirtyForUp, migration.Version, migration.Description, migration.Up.Checksum)
                : Command(_sql.MarkDirty, migration.Version), cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw MigrationErrors.Failed(migration, direction, script, null, ex, outsideTransaction: true, retries: 0, _options, [], FailurePhase.BeforeScript);
        }

        foreach (SqlStatement statement in parsed.Statements)
        {
            try
            {
                await ExecuteAsync(new NpgsqlBatchCommand(statement.Text), cancellationToken, ScriptTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
            {
                // The script may have opened its own transaction; end it so the dirty flag stays as written.
                await RollbackQuietlyAsync().ConfigureAwait(false);
                if (ex is OperationCanceledException)
                {
                    throw;
                }

                IReadOnlyList<string> invalid = await ReadInvalidIndexesQuietlyAsync().ConfigureAwait(false);
                throw MigrationErrors.Failed(migration, direction, script, statement, ex, outsideTransaction: true, retries: 0, _options, invalid);
            }
        }

        try
        {
            await ExecuteAsync(direction == MigrationDirection.Up
                ? Command(_sql.ClearDirty, migration.Version, (long)_time.GetElapsedTime(started).TotalMilliseconds)
                : Command(_sql.DeleteVersion, migration.Version), cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw MigrationErrors.Failed(migration, direction, script, null, ex, outsideTransaction: true, retries: 0, _options, [], FailurePhase.HistoryWrite);
        }
    }

    private async Task AdoptGolangMigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        var rows = new List<(long Version, bool Dirty)>();
        using (NpgsqlBatch batch = CreateBatch())
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.ReadGolangMigrateVersion));
            NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), reader.GetBoolean(1)));
            }
        }

        if (rows.Count > 1)
        {
            throw new MigrationException(
                $"The table {HistoryTable} looks like golang-migrate's (version, dirty) but holds {rows.Count} rows where golang-migrate keeps one. " +
                "Check which version the schema is at, keep only that row, and run again.");
        }

        (long version, bool dirty) = rows.Count == 1 ? rows[0] : (0, false);
        var records = migrations
            .Where(m => m.Version <= version)
            .Select(m => (m.Version, m.Description, (string?)m.Up.Checksum, m.Version == version && dirty))
            .ToList();
        if (version > 0 && !migrations.Any(m => m.Version == version))
        {
            records.Add((version, string.Empty, null, dirty));
        }

        var commands = new List<NpgsqlBatchCommand>
        {
            new(_sql.UpgradeGolangMigrateTable),
            new(_sql.DropDescriptionDefault),
            new(_sql.DeleteAll),
        };
        if (records.Count > 0)
        {
            commands.Add(InsertMany(records));
        }

        await RunInTransactionAsync(commands, cancellationToken).ConfigureAwait(false);
        _logger.GolangMigrateAdopted(HistoryTable, version, dirty, records.Count);
    }

    private async Task<(bool SchemaExists, string[] Columns)> InspectAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = CreateBatch();
        batch.BatchCommands.Add(Command(HistorySql.Inspect, _options.Schema, _options.TableName));
        NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetBoolean(0), reader.GetFieldValue<string[]>(1));
    }

    private async Task<bool> TryLockAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = CreateBatch();
        batch.BatchCommands.Add(Command(HistorySql.TryLock, LockKey));
        object? result = await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is true;
    }

    private async Task<MigrationLockTimeoutException> LockTimeoutAsync(CancellationToken cancellationToken)
    {
        int? pid = null;
        string? application = null;
        string? user = null;
        DateTimeOffset? since = null;
        string? state = null;
        DateTimeOffset? stateSince = null;
        using (NpgsqlBatch batch = CreateBatch())
        {
            // pg_locks splits the 64-bit key into two oids; compared as bigint, since Npgsql sends no uint without a type.
            batch.BatchCommands.Add(Command(HistorySql.LockHolder, (long)((ulong)LockKey >> 32), (long)((ulong)LockKey & 0xFFFFFFFF)));
            NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                pid = reader.GetInt32(0);
                application = reader.IsDBNull(1) ? null : reader.GetString(1);
                user = reader.IsDBNull(2) ? null : reader.GetString(2);
                since = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
                state = reader.IsDBNull(4) ? null : reader.GetString(4);
                stateSince = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5);
            }
        }

        _logger.LockTimedOut(_options.LockTimeout, HistoryTable, pid, application);
        string holder = pid is null
            ? "No session holds it any more: it was released just as the wait ended. Run again."
            : $"It is held by pid {pid} (application_name '{application}', user '{user}', connected since {since:u}, {state} since {stateSince:u}): " +
              "another runner is migrating this database. Wait for it to finish; if it is stuck, end it with " +
              $"SELECT pg_terminate_backend({pid}); and run again.";
        return new MigrationLockTimeoutException(
            $"Timed out after {_options.LockTimeout} ({nameof(MigrationOptions.LockTimeout)}) waiting for the migration lock of {HistoryTable} (advisory lock {LockKey}). {holder}",
            _options.LockTimeout,
            LockKey,
            pid,
            application,
            since);
    }

    private async Task RunInTransactionAsync(IReadOnlyList<NpgsqlBatchCommand> commands, CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        foreach (NpgsqlBatchCommand command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
        {
            await RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ExecuteAsync(NpgsqlBatchCommand command, CancellationToken cancellationToken, int? timeoutSeconds = null)
    {
        using NpgsqlBatch batch = CreateBatch(timeoutSeconds);
        batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RollbackQuietlyAsync()
    {
        if (_connection.State != ConnectionState.Open)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            using var command = new NpgsqlCommand("ROLLBACK", _connection);
            await command.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is gone: the server rolled back with it.
        }
    }

    /// <summary>Indexes left INVALID by a failed CREATE INDEX CONCURRENTLY, schema-qualified.</summary>
    internal Task<IReadOnlyList<string>> ReadInvalidIndexesAsync(CancellationToken cancellationToken) =>
        GuardAsync(
            () => ReadInvalidIndexesCoreAsync(cancellationToken),
            "reading the indexes a failed CREATE INDEX CONCURRENTLY may have left",
            "Nothing was changed. Run again once the server is reachable.",
            cancellationToken);

    private async Task<IReadOnlyList<string>> ReadInvalidIndexesCoreAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(HistorySql.InvalidIndexes));
        NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
        var names = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private async Task<IReadOnlyList<string>> ReadInvalidIndexesQuietlyAsync()
    {
        if (_connection.State != ConnectionState.Open)
        {
            return [];
        }

        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            return await ReadInvalidIndexesCoreAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            return [];
        }
    }

    /// <summary>
    /// Runs an operation outside any script; a lost connection becomes a <see cref="MigrationConnectionException"/> that
    /// says what was under way. When nothing has been sent on this session yet, the connection may be a pooled one the
    /// server closed while it sat idle (a restart, a failover, an idle timeout): it is replaced once and the operation
    /// runs again, which is safe because nothing has happened on it.
    /// </summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> operation, string activity, string consequence, CancellationToken cancellationToken)
    {
        bool untouched = !_used;
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (untouched && !_lockHeld && MigrationErrors.IsConnectionLost(ex) && !cancellationToken.IsCancellationRequested)
        {
            _logger.ConnectionReplaced(HistoryTable, ex);
            await ReconnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (MigrationErrors.IsConnectionLost(ex))
        {
            throw PostgresConnectionErrors.Lost(ex, _server, activity, consequence);
        }

        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (MigrationErrors.IsConnectionLost(ex))
        {
            throw PostgresConnectionErrors.Lost(ex, _server, activity, consequence);
        }
    }

    private async Task GuardAsync(Func<Task> operation, string activity, string consequence, CancellationToken cancellationToken) =>
        await GuardAsync(
            async () =>
            {
                await operation().ConfigureAwait(false);
                return true;
            },
            activity,
            consequence,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Replaces a connection the server closed with a new one from an emptied pool, and sends the settings again.</summary>
    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearPool(_connection);
        await _connection.CloseAsync().ConfigureAwait(false);
        try
        {
            await _connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgresConnectionErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw PostgresConnectionErrors.Describe(ex, _connection.ConnectionString);
        }

        _pendingSettings = _settings.Count > 0 ? [.. _settings] : null;
    }

    /// <summary>
    /// A batch that first applies the session settings, if they have not been sent yet. Its client-side timeout is the
    /// connection string's Command Timeout unless <paramref name="timeoutSeconds"/> says otherwise.
    /// </summary>
    private NpgsqlBatch CreateBatch(int? timeoutSeconds = null)
    {
        _used = true;
        var batch = new NpgsqlBatch(_connection);
        if (timeoutSeconds is { } seconds)
        {
            batch.Timeout = seconds;
        }

        if (_pendingSettings is not null)
        {
            for (int i = 0; i < _pendingSettings.Count; i++)
            {
                // The barrier after the settings commits them even if a later command of the batch fails.
                batch.BatchCommands.Add(new NpgsqlBatchCommand(_pendingSettings[i]) { AppendErrorBarrier = i == _pendingSettings.Count - 1 });
            }

            _pendingSettings = null;
        }

        return batch;
    }

    private void RequireLock()
    {
        if (!_lockHeld)
        {
            throw new InvalidOperationException("The migration lock must be held for this; call AcquireLockAsync first.");
        }
    }

    private NpgsqlBatchCommand InsertMany(IEnumerable<(long Version, string Description, string? Checksum, bool Dirty)> rows)
    {
        var list = rows.ToList();
        return Command(
            _sql.InsertMany,
            list.Select(r => r.Version).ToArray(),
            list.Select(r => r.Description).ToArray(),
            list.Select(r => r.Checksum).ToArray(),
            list.Select(r => r.Dirty).ToArray());
    }

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (object? value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>A statement of a script failed; carries which one, until it is turned into a MigrationFailedException.</summary>
    private sealed class ScriptFailure(SqlStatement? statement, FailurePhase phase, Exception inner) : Exception(inner.Message, inner)
    {
        public SqlStatement? Statement { get; } = statement;

        public FailurePhase Phase { get; } = phase;

        public Exception Inner { get; } = inner;
    }
}
