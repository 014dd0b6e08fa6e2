using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// A session-level advisory lock on a 64-bit key derived from database, schema and table: released by the server the
/// moment the holder's connection ends. Waiters poll with <c>pg_try_advisory_lock</c> (never blocking inside a
/// statement, which would hold a snapshot a <c>CREATE INDEX CONCURRENTLY</c> waits for) and are woken by the
/// holder's NOTIFY as it lets go. Only on a direct connection: behind a pooler the lock would land on a server
/// connection other clients share.
/// </summary>
internal sealed class AdvisoryMigrationLock : IMigrationLock
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    private readonly SessionConnection _session;
    private readonly MigrationOptions _options;
    private readonly LockChannel _channel;
    private bool _listening;

    public AdvisoryMigrationLock(SessionConnection session, MigrationOptions options, string database)
    {
        _session = session;
        _options = options;
        Key = MigrationLockKey.Compute(database, options.Schema, options.TableName);
        _channel = new LockChannel(Key);
    }

    public long Key { get; }

    public string Description => $"advisory lock {Key}";

    private long High => (long)((ulong)Key >> 32);

    private long Low => (long)((ulong)Key & 0xFFFFFFFF);

    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        TimeProvider time = _session.Time;
        ILogger logger = _session.Logger;
        long started = time.GetTimestamp();
        TimeSpan poll = FirstPoll;
        bool waiting = false;
        while (true)
        {
            if (await TryAsync(cancellationToken).ConfigureAwait(false))
            {
                _session.Fence = LockSql.AdvisoryFence(_session.Topology!.BackendPid, Key);
                if (_listening)
                {
                    _listening = false;
                    await _session.ExecuteAsync(new NpgsqlBatchCommand(_channel.Unlisten), cancellationToken).ConfigureAwait(false);
                }

                double waitedMs = time.GetElapsedTime(started).TotalMilliseconds;
                logger.LockAcquired(_session.HistoryTable, Key, waitedMs);
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
                logger.WaitingForLock(_session.HistoryTable, Key, _options.LockTimeout);

                // The holder NOTIFYs the lock's channel as it lets go. Listen, then try again at once, so that a
                // release between the failed try and the LISTEN is not missed.
                await _session.ExecuteAsync(new NpgsqlBatchCommand(_channel.Listen), cancellationToken).ConfigureAwait(false);
                _listening = true;
                continue;
            }

            // Wait idle for the holder's notification, or poll when it does not come (a holder that died sends none).
            TimeSpan jittered = poll * (0.75 + (Random.Shared.NextDouble() / 2));
            TimeSpan remaining = _options.LockTimeout - elapsed;
            await WaitForReleaseAsync(jittered < remaining ? jittered : remaining, cancellationToken).ConfigureAwait(false);
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
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CleanupTimeout);

            // One round trip: the unlock, then the notification that wakes the waiters (sent when the batch's implicit
            // transaction commits, so after the unlock).
            using NpgsqlBatch batch = _session.CreateBatch();
            batch.BatchCommands.Add(SessionConnection.Command(LockSql.AdvisoryUnlock, Key));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(_channel.Notify));
            await batch.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
            _session.Logger.LockReleased(_session.HistoryTable, Key);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            // The lock belongs to the session: a connection that is closed for good releases it.
            _session.Logger.LockReleaseFailed(Description, _session.HistoryTable, Reason(ex), "the connection is closed instead, which releases it");
            NpgsqlConnection.ClearPool(_session.Connection);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static string Reason(Exception exception) => exception switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        OperationCanceledException => "it did not answer in time",
        _ => "the connection is gone",
    };

    /// <summary>
    /// The whole milliseconds to pass to Npgsql's <c>WaitAsync</c> for <paramref name="timeout"/>, rounded up, or 0 for
    /// no wait at all. Npgsql reads a timeout of 0 as "wait forever", so the sub-millisecond remainder of a lock timeout
    /// must never be truncated to it: that left a waiter stuck past its LockTimeout for good.
    /// </summary>
    internal static int NotificationWaitMilliseconds(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? 0 : (int)Math.Min(Math.Ceiling(timeout.TotalMilliseconds), int.MaxValue);

    private async Task<bool> TryAsync(CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = _session.CreateBatch();
        batch.BatchCommands.Add(SessionConnection.Command(LockSql.TryAdvisoryLock, Key, High, Low));
        return await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    /// <summary>Waits for the lock channel's notification, at most <paramref name="timeout"/>.</summary>
    private async Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_session.Time != TimeProvider.System)
        {
            // A test clock: wait on it, as the timeout is measured on it.
            await Task.Delay(timeout, _session.Time, cancellationToken).ConfigureAwait(false);
            return;
        }

        int milliseconds = NotificationWaitMilliseconds(timeout);
        if (milliseconds > 0)
        {
            await _session.Connection.WaitAsync(milliseconds, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<MigrationLockTimeoutException> TimeoutAsync(CancellationToken cancellationToken)
    {
        int? pid = null;
        string? application = null;
        string? user = null;
        DateTimeOffset? since = null;
        string? state = null;
        DateTimeOffset? stateSince = null;
        using (NpgsqlBatch batch = _session.CreateBatch())
        {
            // pg_locks splits the 64-bit key into two oids; compared as bigint, since Npgsql sends no uint without a type.
            batch.BatchCommands.Add(SessionConnection.Command(LockSql.AdvisoryLockHolder, High, Low));
            NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
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
        }

        _session.Logger.LockTimedOut(_options.LockTimeout, _session.HistoryTable, pid, application);
        string holder = pid is null
            ? "No session holds it any more: it was released just as the wait ended. Run again."
            : $"It is held by pid {pid} (application_name '{application}', user '{user}', connected since {since:u}, {state} since {stateSince:u}): " +
              "another runner is migrating this database. Wait for it to finish; if it is stuck, end it with " +
              $"SELECT pg_terminate_backend({pid}); and run again.";
        return new MigrationLockTimeoutException(
            $"Timed out after {_options.LockTimeout} ({nameof(MigrationOptions.LockTimeout)}) waiting for the migration lock of {_session.HistoryTable} (advisory lock {Key}). {holder}",
            _options.LockTimeout,
            Key,
            pid,
            application,
            since);
    }
}
