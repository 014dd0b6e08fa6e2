using System.Data;
using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// A session's one connection and what every part of the session needs from it: batches, the settings, the lock's
/// fence in every transaction, and a guard that turns a lost connection or a server error outside a script into a
/// message that says what was under way.
/// </summary>
internal sealed class SessionConnection
{
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    private bool _used;

    public SessionConnection(NpgsqlConnection connection, SessionSettings settings, string historyTable, ILogger logger, TimeProvider time)
    {
        Connection = connection;
        Settings = settings;
        HistoryTable = historyTable;
        Logger = logger;
        Time = time;
        Server = PostgresConnectionErrors.DescribeServer(connection);
    }

    public NpgsqlConnection Connection { get; }

    public SessionSettings Settings { get; }

    public string HistoryTable { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    /// <summary>Gets where the connection goes, for messages: host, port, database and user, never the password.</summary>
    public string Server { get; }

    public string? User => Connection.UserName;

    /// <summary>Gets the application name the connection reports, for the lease row.</summary>
    public string? ApplicationName => new NpgsqlConnectionStringBuilder(Connection.ConnectionString).ApplicationName;

    /// <summary>Gets what the connection is, once <see cref="ProbeAsync"/> has run.</summary>
    public PostgresTopology? Topology { get; private set; }

    /// <summary>Gets or sets the statement that proves, inside a transaction, that the lock is still this run's; set while it is held.</summary>
    public string? Fence { get; set; }

    /// <summary>
    /// Gets or sets the statement that ends every transaction the fence opened, just before its <c>COMMIT</c> (the lease
    /// renews itself there, so a long migration leaves it fresh); <see langword="null"/> for none.
    /// </summary>
    public string? FenceEnd { get; set; }

    /// <summary>Gets a value indicating whether the lock is held (then a lost connection is never silently replaced).</summary>
    public bool LockHeld => Fence is not null;

    /// <summary>Gets or sets a value indicating whether a script changed this (direct) session's state outside a transaction.</summary>
    public bool SessionChanged { get; set; }

    /// <summary>Finds out, once, whether the connection is direct or pooled, and whether the server can take writes.</summary>
    public async Task<PostgresTopology> ProbeAsync(CancellationToken cancellationToken)
    {
        if (Topology is { } known)
        {
            return known;
        }

        using NpgsqlBatch batch = CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(LockSql.Probe));
        NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            int backend = reader.GetInt32(0);
            Topology = new PostgresTopology(backend, backend != Connection.ProcessID, reader.GetBoolean(1), reader.GetBoolean(2), reader.GetString(3));
            return Topology;
        }
    }

    /// <summary>A batch on this connection. Its client-side timeout is the connection string's unless given.</summary>
    public NpgsqlBatch CreateBatch(int? timeoutSeconds = null)
    {
        _used = true;
        var batch = new NpgsqlBatch(Connection);
        if (timeoutSeconds is { } seconds)
        {
            batch.Timeout = seconds;
        }

        return batch;
    }

    public async Task<int> ExecuteAsync(NpgsqlBatchCommand command, CancellationToken cancellationToken, int? timeoutSeconds = null)
    {
        using NpgsqlBatch batch = CreateBatch(timeoutSeconds);
        batch.BatchCommands.Add(command);
        return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The settings that open every transaction MigrationKit runs, and the lock's fence when it is held.</summary>
    public void AddTransactionPrelude(NpgsqlBatch batch)
    {
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        foreach (string setting in Settings.Local)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(setting));
        }

        if (Fence is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Fence));
        }
    }

    /// <summary>Runs history writes as one transaction, opened with the settings and the fence.</summary>
    public async Task RunInTransactionAsync(IReadOnlyList<NpgsqlBatchCommand> commands, CancellationToken cancellationToken)
    {
        using NpgsqlBatch batch = CreateBatch();
        AddTransactionPrelude(batch);
        foreach (NpgsqlBatchCommand command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        if (Fence is not null && FenceEnd is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(FenceEnd));
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

    public async Task RollbackQuietlyAsync()
    {
        if (Connection.State != ConnectionState.Open)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            using var command = new NpgsqlCommand("ROLLBACK", Connection);
            await command.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is gone: the server rolled back with it.
        }
    }

    /// <summary>Brings a direct session back to how it connected, after a script that ran outside a transaction.</summary>
    public async Task ResetQuietlyAsync()
    {
        if (!SessionChanged || Connection.State != ConnectionState.Open)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            using NpgsqlBatch batch = CreateBatch();
            foreach (string reset in SessionSettings.Reset)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(reset));
            }

            await batch.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
            SessionChanged = false;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is gone, and its session state with it.
        }
    }

    /// <summary>
    /// Runs an operation outside any script. A lost connection becomes a <see cref="MigrationConnectionException"/> and
    /// a server error a <see cref="MigrationException"/>, each saying what was under way and what that leaves. When
    /// nothing has been sent on this session yet, the connection may be a pooled one the server closed while it sat
    /// idle (a restart, a failover, an idle timeout): it is replaced once and the operation runs again, which is safe
    /// because nothing has happened on it.
    /// </summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> operation, string activity, string consequence, CancellationToken cancellationToken)
    {
        bool untouched = !_used;
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (untouched && !LockHeld && MigrationErrors.IsConnectionLost(ex) && !cancellationToken.IsCancellationRequested)
        {
            Logger.ConnectionReplaced(HistoryTable, ex);
            await ReconnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, activity, consequence) is { } translated)
        {
            throw translated;
        }

        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, activity, consequence) is { } translated)
        {
            throw translated;
        }
    }

    public Task GuardAsync(Func<Task> operation, string activity, string consequence, CancellationToken cancellationToken) =>
        GuardAsync(
            async () =>
            {
                await operation().ConfigureAwait(false);
                return true;
            },
            activity,
            consequence,
            cancellationToken);

    public static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (object? value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    private MigrationException? Translate(Exception exception, string activity, string consequence) => exception switch
    {
        _ when MigrationErrors.IsConnectionLost(exception) => PostgresConnectionErrors.Lost(exception, Server, activity, consequence),
        PostgresException server => PostgresServerErrors.During(server, activity, Server, User, consequence),
        _ => null,
    };

    /// <summary>Replaces a connection the server closed with a new one from an emptied pool.</summary>
    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearPool(Connection);
        await Connection.CloseAsync().ConfigureAwait(false);
        try
        {
            await Connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgresConnectionErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw PostgresConnectionErrors.Describe(ex, Connection.ConnectionString);
        }

        Topology = null;
    }
}
