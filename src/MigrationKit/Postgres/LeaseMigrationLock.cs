using System.Globalization;
using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// A lease row in a table beside the history table, taken, renewed and released by single transactions, so it works
/// through transaction pooling where a session-level advisory lock would land on a server connection other clients
/// share. The holder renews it in the background (on a second connection) while its migrations run, a long
/// <c>CREATE INDEX CONCURRENTLY</c> included; a holder that died is taken over once its lease has expired. Every
/// migration transaction and history write starts with the lease's fence, which renews it and locks its row until the
/// transaction ends, and fails unless the lease is still this run's.
/// </summary>
internal sealed class LeaseMigrationLock : IMigrationLock
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    private readonly SessionConnection _session;
    private readonly MigrationOptions _options;
    private readonly LockSql _sql;
    private readonly Func<CancellationToken, Task<NpgsqlConnection>> _openConnection;
    private readonly string _holder = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
    private CancellationTokenSource? _renewal;
    private Task? _renewing;

    public LeaseMigrationLock(SessionConnection session, MigrationOptions options, LockSql sql, Func<CancellationToken, Task<NpgsqlConnection>> openConnection)
    {
        _session = session;
        _options = options;
        _sql = sql;
        _openConnection = openConnection;
    }

    public string Description => $"migration lease in {_sql.LeaseTable}";

    /// <summary>Gets the id this run holds the lease under.</summary>
    public string Holder => _holder;

    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        TimeProvider time = _session.Time;
        long started = time.GetTimestamp();
        TimeSpan poll = FirstPoll;
        bool waiting = false;
        while (true)
        {
            if (await TryTakeAsync(cancellationToken).ConfigureAwait(false))
            {
                _session.Fence = _sql.LeaseFence(_holder, _options.LeaseTimeout);
                _session.FenceEnd = _sql.LeaseRenewal(_holder, _options.LeaseTimeout);
                StartRenewal();
                double waitedMs = time.GetElapsedTime(started).TotalMilliseconds;
                _session.Logger.LockAcquired(_session.HistoryTable, 0, waitedMs);
                return;
            }

            TimeSpan elapsed = time.GetElapsedTime(started);
            if (elapsed >= _options.LockTimeout)
            {
                throw await TimeoutAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!waiting)
            {
                waiting = true;
                LeaseRow? row = await ReadAsync(cancellationToken).ConfigureAwait(false);
                string holder = row?.Describe() ?? "a runner that just let go";
                _session.Logger.WaitingForLease(_session.HistoryTable, _options.LockTimeout, holder);
            }

            TimeSpan jittered = poll * (0.75 + (Random.Shared.NextDouble() / 2));
            TimeSpan remaining = _options.LockTimeout - elapsed;
            await Task.Delay(jittered < remaining ? jittered : remaining, time, cancellationToken).ConfigureAwait(false);
            poll = poll * 2 < MaxPoll ? poll * 2 : MaxPoll;
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_session.Fence is null)
        {
            return;
        }

        _session.Fence = null;
        _session.FenceEnd = null;
        await StopRenewalAsync().ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CleanupTimeout);
            await _session.ExecuteAsync(SessionConnection.Command(_sql.ReleaseLease, _holder), timeout.Token).ConfigureAwait(false);
            _session.Logger.LockReleased(_session.HistoryTable, 0);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            _session.Logger.LockReleaseFailed(
                Description,
                _session.HistoryTable,
                AdvisoryMigrationLock.Reason(ex),
                $"it expires by itself within {nameof(MigrationOptions.LeaseTimeout)} ({_options.LeaseTimeout}), and the next runner takes it over then");
        }
    }

    public async ValueTask DisposeAsync() => await StopRenewalAsync().ConfigureAwait(false);

    /// <summary>
    /// One transaction: remove an expired lease (a dead holder's), then insert ours unless a live one is there. Neither
    /// statement waits for a holder's migration transaction: a waiter polls, it never blocks inside a statement, so its
    /// <see cref="MigrationOptions.LockTimeout"/> holds and it keeps no (pooled) server connection busy meanwhile.
    /// </summary>
    private async Task<bool> TryTakeAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            using NpgsqlBatch batch = _session.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            var expired = new NpgsqlBatchCommand(_sql.DeleteExpiredLease);
            batch.BatchCommands.Add(expired);
            var insert = SessionConnection.Command(
                _sql.InsertLease, _holder, Environment.MachineName, Environment.ProcessId, _session.ApplicationName, _options.LeaseTimeout);
            batch.BatchCommands.Add(insert);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (attempt == 0 && ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
            {
                await _session.RollbackQuietlyAsync().ConfigureAwait(false);
                await CreateTableAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
            {
                await _session.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }

            if (expired.RecordsAffected > 0)
            {
                _session.Logger.LeaseTakenOver(_session.HistoryTable);
            }

            return insert.RecordsAffected == 1;
        }
    }

    /// <summary>Creates the lease table (and the schema) the first time; a runner that races us to it is fine.</summary>
    private async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = _session.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"CREATE SCHEMA IF NOT EXISTS {_sql.QuotedSchema}"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.CreateLeaseTable));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable
            or PostgresErrorCodes.DuplicateSchema or PostgresErrorCodes.DuplicateObject)
        {
            // Two runners created it at the same moment (IF NOT EXISTS does not serialise them): it exists now. The loser
            // hears of it as a unique violation, or as 42P07/42P06, or as 42710 "type … already exists" when it is the
            // table's row type in pg_type that collides first.
        }
    }

    private async Task<LeaseRow?> ReadAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = _session.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.ReadLease));
        NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new LeaseRow(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetFieldValue<DateTimeOffset>(7),
                reader.GetBoolean(8));
        }
    }

    private async Task<MigrationLockTimeoutException> TimeoutAsync(CancellationToken cancellationToken)
    {
        LeaseRow? row = await ReadAsync(cancellationToken).ConfigureAwait(false);
        _session.Logger.LockTimedOut(_options.LockTimeout, _session.HistoryTable, row?.ProcessId, row?.ApplicationName);
        string holder = row is null
            ? "Nobody holds it any more: it was released just as the wait ended. Run again."
            : $"It is held by {row.Describe()}: another runner is migrating this database. Wait for it to finish. If that runner is gone, " +
              (row.InTransaction
                  ? $"the server ends its transaction once it notices (within a second for a process that died; after the TCP keepalive for a lost network), " +
                    $"and its lease expires {nameof(MigrationOptions.LeaseTimeout)} after its last renewal; "
                  : $"its lease expires by itself at {row.ExpiresAt:u} ({nameof(MigrationOptions.LeaseTimeout)} after its last renewal) and the next run takes it over; ") +
              $"to free it at once, DELETE FROM {_sql.LeaseTable} WHERE holder = '{row.Holder}'; and run again.";
        return new MigrationLockTimeoutException(
            $"Timed out after {_options.LockTimeout} ({nameof(MigrationOptions.LockTimeout)}) waiting for the migration lease of {_session.HistoryTable} ({_sql.LeaseTable}). {holder}",
            _options.LockTimeout,
            0,
            row?.ProcessId,
            row?.ApplicationName,
            row?.AcquiredAt,
            row?.Host);
    }

    private void StartRenewal()
    {
        _renewal = new CancellationTokenSource();
        _renewing = RenewLoopAsync(_renewal.Token);
    }

    private async Task StopRenewalAsync()
    {
        if (_renewal is null)
        {
            return;
        }

        await _renewal.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewing!.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _renewal.Dispose();
        _renewal = null;
        _renewing = null;
    }

    /// <summary>
    /// Renews the lease every third of <see cref="MigrationOptions.LeaseTimeout"/> on a connection of its own (the
    /// session's is busy running scripts), opened only when the first renewal is due, so short runs never open it. While
    /// a migration transaction of the session holds the row locked, a renewal passes it by (that transaction renews the
    /// lease as it commits) instead of waiting on the lock, where it would outlast its command timeout in a long migration.
    /// </summary>
    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        TimeSpan interval = _options.LeaseTimeout / 3;
        NpgsqlConnection? connection = null;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _session.Time, cancellationToken).ConfigureAwait(false);
                try
                {
                    connection ??= await _openConnection(cancellationToken).ConfigureAwait(false);
                    using var command = new NpgsqlCommand(_sql.RenewLease, connection);
                    command.Parameters.Add(new NpgsqlParameter { Value = _holder });
                    command.Parameters.Add(new NpgsqlParameter { Value = _options.LeaseTimeout });
                    if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                    {
                        _session.Logger.LeaseLost(_session.HistoryTable);
                        return;
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    _session.Logger.LeaseRenewalFailed(_session.HistoryTable, AdvisoryMigrationLock.Reason(ex), interval.TotalMilliseconds);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The lease row; <paramref name="InTransaction"/>: a transaction holds it locked (the holder is in a migration, and the lease is live).</summary>
    private sealed record LeaseRow(
        string Holder,
        string Host,
        int ProcessId,
        string? ApplicationName,
        DateTimeOffset AcquiredAt,
        DateTimeOffset RenewedAt,
        DateTimeOffset ExpiresAt,
        DateTimeOffset Now,
        bool InTransaction)
    {
        public string Describe() =>
            $"process {ProcessId} on host {Host} (application_name '{ApplicationName}', holder {Holder}) since {AcquiredAt:u}, last renewed {RenewedAt:u}, " +
            (InTransaction ? "now in a migration transaction (which keeps the lease, and renews it as it commits)"
                : ExpiresAt > Now ? $"expiring at {ExpiresAt:u} unless renewed"
                : "expired");
    }
}
