using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// A hot standby of a private cluster, for tests of standbys and failover: a copy made by <c>pg_basebackup -R</c>
/// (with a physical replication slot on the primary, so the primary keeps the WAL it has not received) and started as
/// another private cluster on another free loopback port, streaming from the primary. It can be promoted, stopped and
/// started; disposing it stops it, deletes its folder and drops its slot on the primary.
/// </summary>
/// <example>
/// <code>
/// await using var standby = await PostgresStandby.StartAsync(server);
/// await ExecuteAsync(server.GetConnectionString(db), "CREATE TABLE t ()");
/// await standby.CatchUpAsync();                       // the table is now on the standby
/// await server.StopServerAsync("immediate");          // the primary fails
/// await standby.PromoteAsync();                       // the standby takes over
/// </code>
/// </example>
internal sealed class PostgresStandby : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly ILogger logger;
    private readonly string primaryConnectionString;
    private int disposed;

    private PostgresStandby(LocalCluster cluster, PostgresServer primary, string slotName, ILogger logger)
    {
        Cluster = cluster;
        Primary = primary;
        SlotName = slotName;
        this.logger = logger;
        primaryConnectionString = new NpgsqlConnectionStringBuilder(ServerQueries.Unpooled(primary.ConnectionString)) { Timeout = 5 }.ConnectionString;
    }

    /// <summary>Gets the standby's cluster (its folder, port, and the stop, start and promote hooks).</summary>
    public LocalCluster Cluster { get; }

    /// <summary>Gets the server this standby replicates.</summary>
    public PostgresServer Primary { get; }

    /// <summary>Gets the name of the physical replication slot on the primary (also the standby's <c>application_name</c>).</summary>
    public string SlotName { get; }

    /// <summary>Gets the loopback port the standby listens on.</summary>
    public int Port => Cluster.Port;

    /// <summary>Gets a value indicating whether <see cref="PromoteAsync"/> has made this standby a primary.</summary>
    public bool IsPromoted { get; private set; }

    /// <summary>Gets the connection string to the <c>postgres</c> database on the standby as the <c>postgres</c> superuser.</summary>
    public string ConnectionString => Cluster.ConnectionString;

    /// <summary>
    /// Says why <paramref name="primary"/> cannot have a standby here, for <c>Assert.Ignore</c>; <see langword="null"/>
    /// when it can: it must be a private cluster started by this process (not an external server or a container), and
    /// <c>pg_basebackup</c> must be found beside its server programs or on <c>PATH</c>.
    /// </summary>
    public static string? WhyUnavailable(PostgresServer primary)
    {
        ArgumentNullException.ThrowIfNull(primary);
        if (primary.Cluster is not { } cluster)
        {
            return $"a standby is made from a private cluster started by this process; this server is {primary.Kind} (MIGRATIONKIT_TEST_CONNECTION or a container)";
        }

        return cluster.Binaries.FindProgram("pg_basebackup") is null
            ? $"a standby needs pg_basebackup, which is neither in {cluster.Binaries.BinDirectory}, nor beside the real postgres, nor on PATH"
            : null;
    }

    /// <summary>
    /// Starts a standby of <paramref name="primary"/>, which must be a private cluster (<see cref="PostgresServerKind.LocalCluster"/>),
    /// and returns once it is in recovery and streaming from the primary.
    /// </summary>
    /// <exception cref="NotSupportedException">The primary cannot have a standby here (see <see cref="WhyUnavailable"/>).</exception>
    /// <exception cref="InvalidOperationException">The backup or the start failed (the message has the tool's or the server's output).</exception>
    public static async Task<PostgresStandby> StartAsync(PostgresServer primary, CancellationToken cancellationToken = default)
    {
        if (WhyUnavailable(primary) is { } whyNot)
        {
            throw new NotSupportedException($"The test standby cannot start: {whyNot}.");
        }

        var source = primary.Cluster!;
        var baseBackup = source.Binaries.FindProgram("pg_basebackup")!;

        var stopwatch = Stopwatch.StartNew();
        var slot = "mk_standby_" + ClusterRoot.RandomHex(6);
        var settings = new LocalClusterSettings(
            Timeout,
            UseTemplate: false,
            LocalCluster.PickFreePort,
            Environment.ProcessId,
            StartWatchdog: true,
            CreateDataDirectory: async (data, token) =>
            {
                var primaryInfo = string.Create(CultureInfo.InvariantCulture, $"host=127.0.0.1 port={source.Port} user=postgres application_name={slot}");
                await ProcessRunner.RunCheckedAsync(
                    source.User.Wrap(baseBackup, "-D", data, "-d", primaryInfo, "-R", "-X", "stream", "-c", "fast", "-C", "-S", slot, "--no-sync"),
                    Path.GetDirectoryName(data),
                    Timeout,
                    token).ConfigureAwait(false);

                // Beside the primary_conninfo that -R wrote: after the primary restarts, stream again within a tenth of
                // a second instead of the default five.
                await File.AppendAllTextAsync(Path.Combine(data, "postgresql.auto.conf"), "wal_retrieve_retry_interval = '100ms'\n", token)
                    .ConfigureAwait(false);
                return string.Create(CultureInfo.InvariantCulture, $"copied from 127.0.0.1:{source.Port} by pg_basebackup");
            },
            source.SynchronousCommit);

        LocalCluster cluster;
        try
        {
            cluster = await LocalCluster.StartAsync(source.Binaries, source.User, settings, primary.Logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The backup may have made the slot before the start failed.
            await DropSlotAsync(ServerQueries.Unpooled(primary.ConnectionString), slot, primary.Logger).ConfigureAwait(false);
            throw;
        }

        var standby = new PostgresStandby(cluster, primary, slot, primary.Logger);
        try
        {
            await standby.WaitForStreamingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await standby.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Log.StandbyStarted(primary.Logger, source.Port, cluster.Port, stopwatch.ElapsedMilliseconds, slot);
        return standby;
    }

    /// <summary>Returns <see cref="ConnectionString"/> with <paramref name="database"/> as the database.</summary>
    public string GetConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;
    }

    /// <summary>Waits until the standby is in recovery and its WAL receiver streams from the primary.</summary>
    /// <exception cref="TimeoutException">It did not stream within a minute (the message says what it was doing).</exception>
    public async Task WaitForStreamingAsync(CancellationToken cancellationToken = default)
    {
        var state = await PollAsync(
            "SELECT pg_is_in_recovery()::text || ' ' || coalesce((SELECT status FROM pg_stat_wal_receiver), 'no WAL receiver')",
            text => text == "true streaming",
            cancellationToken).ConfigureAwait(false);
        if (state.Met)
        {
            return;
        }

        throw new TimeoutException($"The standby on port {Port} did not stream from its primary within {Timeout.TotalSeconds:0} s (in recovery, WAL receiver: {state.Last}).");
    }

    /// <summary>
    /// Waits until the standby has replayed everything the primary had written when this was called, so a change made
    /// on the primary before the call is visible on the standby after it.
    /// </summary>
    /// <exception cref="TimeoutException">The standby did not catch up within a minute.</exception>
    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        // The insert position, not pg_current_wal_lsn() (the write position): with synchronous_commit off, a commit the
        // client has seen may not be written yet; the WAL writer writes it within a few hundred milliseconds.
        var target = await ServerQueries.ScalarAsync(primaryConnectionString, "SELECT pg_current_wal_insert_lsn()::text", cancellationToken).ConfigureAwait(false);
        var state = await PollAsync(
            "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)::text || ' ' || coalesce(pg_last_wal_replay_lsn()::text, 'none')",
            text => text.StartsWith("true", StringComparison.Ordinal),
            cancellationToken,
            target).ConfigureAwait(false);
        if (!state.Met)
        {
            throw new TimeoutException($"The standby on port {Port} did not replay the primary's WAL up to {target} within {Timeout.TotalSeconds:0} s (replayed: {state.Last}).");
        }
    }

    /// <summary>Promotes the standby (<c>pg_ctl promote</c>) and waits until it has left recovery and accepts writes.</summary>
    public async Task PromoteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var stopwatch = Stopwatch.StartNew();
        await Cluster.PromoteAsync(Timeout, cancellationToken).ConfigureAwait(false);
        var state = await PollAsync(
            "SELECT (NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off')::text",
            text => text == "true",
            cancellationToken).ConfigureAwait(false);
        if (!state.Met)
        {
            throw new TimeoutException($"The promoted standby on port {Port} did not accept writes within {Timeout.TotalSeconds:0} s.");
        }

        IsPromoted = true;
        Log.StandbyPromoted(logger, Port, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>Stops the standby's server and keeps its data (<c>pg_ctl stop -m</c> <paramref name="mode"/>).</summary>
    public Task StopServerAsync(string mode = "fast", CancellationToken cancellationToken = default) =>
        Cluster.StopServerAsync(mode, cancellationToken);

    /// <summary>
    /// Starts the standby's server again after <see cref="StopServerAsync"/> and waits until it accepts connections (call
    /// <see cref="WaitForStreamingAsync"/> to wait until it streams again).
    /// </summary>
    public Task StartServerAsync(CancellationToken cancellationToken = default) =>
        Cluster.StartServerAsync(Timeout, cancellationToken);

    /// <summary>Stops the standby, deletes its folder, and drops its replication slot on the primary when the primary runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Cluster.StopAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException
            or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Log.ServerStopFailed(logger, PostgresServerKind.LocalCluster, exception);
        }

        if (Primary.Cluster is { IsRunning: true })
        {
            await DropSlotAsync(primaryConnectionString, SlotName, logger).ConfigureAwait(false);
        }
    }

    /// <summary>Drops <paramref name="slot"/> once its WAL sender has gone; failures are logged, never thrown.</summary>
    private static async Task DropSlotAsync(string primaryConnectionString, string slot, ILogger logger)
    {
        try
        {
            var connection = new NpgsqlConnection(primaryConnectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync().ConfigureAwait(false);
                var command = new NpgsqlCommand(
                    """
                    SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL;
                    """,
                    connection);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = slot });
                    await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                    command.CommandText = """
                        SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1 AND active;
                        """;
                    var deadline = Stopwatch.StartNew();
                    while ((long)(await command.ExecuteScalarAsync().ConfigureAwait(false))! > 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
                    {
                        await Task.Delay(10).ConfigureAwait(false);
                    }

                    command.CommandText = "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = $1";
                    await command.ExecuteScalarAsync().ConfigureAwait(false);
                }
            }
        }
        catch (NpgsqlException exception)
        {
            Log.ReplicationSlotDropFailed(logger, slot, exception);
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (with <paramref name="parameter"/> as <c>$1</c> when given) on the standby until
    /// <paramref name="met"/> holds for its text result or a minute passes.
    /// </summary>
    private async Task<(bool Met, string Last)> PollAsync(string sql, Func<string, bool> met, CancellationToken cancellationToken, string? parameter = null)
    {
        var probe = new NpgsqlConnectionStringBuilder(ServerQueries.Unpooled(ConnectionString)) { Timeout = 5 }.ConnectionString;
        var stopwatch = Stopwatch.StartNew();
        var last = "(no answer)";
        while (stopwatch.Elapsed < Timeout)
        {
            try
            {
                var connection = new NpgsqlConnection(probe);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var command = new NpgsqlCommand(sql, connection);
                    await using (command.ConfigureAwait(false))
                    {
                        if (parameter is not null)
                        {
                            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
                        }

                        last = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? string.Empty;
                    }
                }

                if (met(last))
                {
                    return (true, last);
                }
            }
            catch (NpgsqlException exception)
            {
                // Not accepting connections at the moment (starting, promoting).
                last = exception.Message;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return (false, last);
    }
}
