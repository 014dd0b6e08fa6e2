using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// One run's dedicated connection, composed of parts of one concern each: the connection and its settings
/// (<see cref="SessionConnection"/>), the lock (advisory or lease, chosen once the connection is known), the history,
/// the script executor and the drop.
/// </summary>
internal sealed class PostgresMigrationSession : IMigrationStoreSession
{
    private readonly SessionConnection _session;
    private readonly MigrationOptions _options;
    private readonly LockSql _lockSql;
    private readonly PostgresHistory _history;
    private readonly PostgresScriptExecutor _executor;
    private readonly PostgresSchemaDrop _drop;
    private readonly PostgresTableStatistics _statistics;
    private readonly InvalidIndexes _invalidIndexes;
    private readonly Func<CancellationToken, Task<NpgsqlConnection>> _openConnection;
    private IMigrationLock? _lock;

    public PostgresMigrationSession(
        NpgsqlConnection connection,
        MigrationOptions options,
        HistorySql sql,
        SessionSettings settings,
        Func<CancellationToken, Task<NpgsqlConnection>> openConnection,
        ILogger logger,
        TimeProvider timeProvider)
    {
        _options = options;
        _openConnection = openConnection;
        _session = new SessionConnection(connection, settings, sql.QualifiedTable, logger, timeProvider);
        _lockSql = new LockSql(sql.Schema, sql.Table);
        _history = new PostgresHistory(_session, sql);
        _invalidIndexes = new InvalidIndexes(_session);
        _executor = new PostgresScriptExecutor(_session, sql, options, _invalidIndexes);
        _drop = new PostgresSchemaDrop(_session, sql, _lockSql);
        _statistics = new PostgresTableStatistics(_session);
        HistoryTable = sql.QualifiedTable;
    }

    public string HistoryTable { get; }

    public Version? ServerVersion => _session.Connection.PostgreSqlVersion;

    /// <summary>Gets the lock this session chose, once it has taken it (for tests and diagnostics).</summary>
    internal IMigrationLock? Lock => _lock;

    public Task<MigrationHistory> ReadHistoryAsync(CancellationToken cancellationToken = default) => _history.ReadAsync(cancellationToken);

    public Task<IReadOnlyList<AppliedVersion>?> ReadVersionsAsync(CancellationToken cancellationToken = default) => _history.ReadVersionsAsync(cancellationToken);

    public Task AcquireLockAsync(CancellationToken cancellationToken = default)
    {
        if (_session.LockHeld)
        {
            return Task.CompletedTask;
        }

        return _session.GuardAsync(
            async () =>
            {
                PostgresTopology topology = await _session.ProbeAsync(cancellationToken).ConfigureAwait(false);
                RefuseReadOnly(topology);
                _lock ??= ChooseLock(topology);
                await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false);
            },
            $"waiting for the migration lock of {HistoryTable}",
            "Nothing was changed, and a lock the lost session held went with it. Run again once the server is reachable.",
            cancellationToken);
    }

    public async Task ReleaseLockAsync(CancellationToken cancellationToken = default)
    {
        if (_lock is not null)
        {
            await _lock.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void CheckPlan(IReadOnlyList<PlannedMigration> steps, ICollection<ValidationProblem> problems) =>
        PoolerPlanCheck.Check(_session.Topology, _session.Settings, steps, problems);

    public Task<MigrationHistory> PrepareHistoryAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        RequireLock();
        return _history.PrepareAsync(migrations, cancellationToken);
    }

    public Task<TimeSpan> ApplyAsync(PlannedMigration planned, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planned);
        return _executor.ApplyAsync(planned, cancellationToken);
    }

    public Task ForceAsync(long? version, IReadOnlyList<Migration> recorded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        RequireLock();
        return _history.ForceAsync(version, recorded, cancellationToken);
    }

    public Task BaselineAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        RequireLock();
        return _history.BaselineAsync(migrations, cancellationToken);
    }

    public Task RepairAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        RequireLock();
        return _history.RepairAsync(migrations, cancellationToken);
    }

    public Task DropAsync(CancellationToken cancellationToken = default)
    {
        RequireLock();
        return _drop.DropAsync(cancellationToken);
    }

    public Task<IReadOnlyList<TableStatistics>> ReadTableStatisticsAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken = default) =>
        _statistics.ReadAsync(tables, cancellationToken);

    public Task<IReadOnlyList<string>> ReadInvalidIndexesAsync(CancellationToken cancellationToken = default) =>
        _invalidIndexes.ReadAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_session.LockHeld && _session.Connection.State == System.Data.ConnectionState.Open)
        {
            await ReleaseLockAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (_lock is not null)
        {
            await _lock.DisposeAsync().ConfigureAwait(false);
        }

        await _session.ResetQuietlyAsync().ConfigureAwait(false);
        await _session.Connection.DisposeAsync().ConfigureAwait(false);
    }

    private void RefuseReadOnly(PostgresTopology topology)
    {
        if (topology.IsInRecovery)
        {
            throw new MigrationException(
                $"{_session.Server} is a standby (pg_is_in_recovery() is true), and migrations write: nothing was changed. " +
                "Connect to the primary: give its host, or list every host with Target Session Attributes=primary, and Npgsql picks the primary. " +
                "Reading the status works on a standby.");
        }

        if (topology.IsReadOnly)
        {
            throw new MigrationException(
                $"The session on {_session.Server} is read-only (transaction_read_only is on: default_transaction_read_only is set for the role \"{topology.User}\", " +
                "the database or the server), and migrations write: nothing was changed. Connect as a role that can write " +
                "(ALTER ROLE … SET default_transaction_read_only = off), or to the primary.");
        }
    }

    private IMigrationLock ChooseLock(PostgresTopology topology)
    {
        (IMigrationLock Lock, string Reason) choice = (_options.LockMode, topology.IsPooled) switch
        {
            (LockMode.Advisory, true) => throw new MigrationException(
                $"{nameof(MigrationOptions.LockMode)} is Advisory, but this connection goes through a pooler: the server process answering (pid {topology.BackendPid}) " +
                $"is not the one the connection reported when it opened (pid {_session.Connection.ProcessID}), so a session-level advisory lock would land on a server " +
                "connection other clients share, and could be taken twice or left behind. Nothing was changed. " +
                $"Set {nameof(MigrationOptions.LockMode)} = Lease (or Auto, the default, which picks it behind a pooler), or connect directly to the server."),
            (LockMode.Lease, _) => (Lease(), "LockMode = Lease"),
            (_, true) => (Lease(), $"LockMode = Auto: a pooler answers (server pid {topology.BackendPid}, connection opened as pid {_session.Connection.ProcessID})"),
            _ => (new AdvisoryMigrationLock(_session, _options, _session.Connection.Database), $"LockMode = {_options.LockMode}: a direct connection"),
        };
        string description = choice.Lock.Description;
        _session.Logger.LockModeChosen(HistoryTable, description, choice.Reason);
        return choice.Lock;

        LeaseMigrationLock Lease() => new(_session, _options, _lockSql, _openConnection);
    }

    private void RequireLock()
    {
        if (!_session.LockHeld)
        {
            throw new InvalidOperationException("The migration lock must be held for this; call AcquireLockAsync first.");
        }
    }
}
