using System.Collections.Concurrent;
using System.Diagnostics;
using MigrationKit.Testing.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MigrationKit.Testing;

/// <summary>
/// A PostgreSQL server for tests: an existing server named by a connection string, else a private cluster started
/// from the local server binaries, else a container on a Docker engine. Disposing it stops and deletes what it
/// started, and drops the databases it created.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly ILogger logger;
    private readonly LocalCluster? cluster;
    private readonly IAsyncDisposable? container;
    private readonly string maintenanceConnectionString;
    private readonly string adminConnectionString;
    private readonly DatabaseTemplates templates;
    private readonly SpareClones spares;
    private readonly BackgroundDrops drops;
    private readonly ConcurrentDictionary<string, ThrowawayDatabase> databases = new(StringComparer.Ordinal);
    private readonly ILoggerFactory loggerFactory;
    private int disposed;

    private PostgresServer(DiscoveredServer server, int spareDatabases, ILoggerFactory loggerFactory)
    {
        Kind = server.Kind;
        ConnectionString = server.ConnectionString;
        ServerVersion = server.ServerVersion;
        logger = server.Logger;
        cluster = server.Cluster;
        container = server.Container;
        this.loggerFactory = loggerFactory;
        maintenanceConnectionString = ServerQueries.Unpooled(ConnectionString);

        // Creating and dropping databases goes through a pool of its own: a new connection per call would cost more
        // than the CREATE DATABASE it runs.
        adminConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "MigrationKit.Testing", Pooling = true }.ConnectionString;
        templates = new DatabaseTemplates(adminConnectionString, GetConnectionString, UsesFileCopy, logger);
        spares = new SpareClones(templates, GetConnectionString, spareDatabases, logger);
        drops = new BackgroundDrops(DropAsync, logger);
    }

    /// <summary>
    /// Servers this instance started run with fsync off, where copying files and a checkpoint beats WAL-logging every
    /// page (PostgreSQL 15's default); an external server may have fsync on and much to checkpoint, so it keeps its default.
    /// </summary>
    private bool UsesFileCopy => Kind != PostgresServerKind.External && ServerVersion.Major >= 15;

    /// <summary>Gets where this server comes from.</summary>
    public PostgresServerKind Kind { get; }

    /// <summary>
    /// Gets the Npgsql connection string to the maintenance database <c>postgres</c> as a superuser (for an external
    /// server: the given connection string, with <c>postgres</c> as the database when it names none). Pooling is as
    /// Npgsql's defaults unless the given connection string says otherwise.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>Gets the server version, queried from the server (major.minor, e.g. 15.18).</summary>
    public Version ServerVersion { get; }

    /// <summary>
    /// Finds or starts a server: (1) <see cref="PostgresServerOptions.ConnectionString"/>, else the
    /// <c>MIGRATIONKIT_TEST_CONNECTION</c> environment variable (an external server); (2) a private cluster from the
    /// local PostgreSQL server binaries; (3) a Testcontainers PostgreSQL container when a Docker engine answers.
    /// </summary>
    /// <remarks>
    /// A private cluster is copied from a template data folder cached in shared memory (<c>/dev/shm</c>), about 40 MB
    /// per PostgreSQL version, which outlives the process so that later runs start fast; each start removes the
    /// templates that are stale. See <see cref="PostgresServerOptions.UseClusterTemplate"/>.
    /// </remarks>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the search and the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    /// <exception cref="InvalidOperationException">
    /// No kind of server is available (the message says why for each, and what to do), or the external server
    /// cannot be reached.
    /// </exception>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresServerOptions();
        if (options.StartTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StartTimeout, "PostgresServerOptions.StartTimeout must be positive.");
        }

        if (options.SpareDatabases < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SpareDatabases, "PostgresServerOptions.SpareDatabases must be 0 or more.");
        }

        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var found = await ServerDiscovery.FindAsync(options, loggerFactory.CreateLogger<PostgresServer>(), cancellationToken).ConfigureAwait(false);
        var server = new PostgresServer(found, options.SpareDatabases, loggerFactory);
        if (server.Kind == PostgresServerKind.External)
        {
            // Only an external server outlives the runs that used it, crashed ones included.
            await server.CleanStaleAsync(cancellationToken).ConfigureAwait(false);
        }

        return server;
    }

    /// <summary>Returns <see cref="ConnectionString"/> with <paramref name="database"/> as the database.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>The connection string.</returns>
    public string GetConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;
    }

    /// <summary>
    /// Creates an empty database (from <c>template0</c>) with a unique name: <paramref name="namePrefix"/> (default
    /// <c>mk_test_</c>; lowercased; letters, digits and underscores) followed by 16 random hexadecimal digits.
    /// </summary>
    /// <param name="namePrefix">The name prefix, at most 47 characters; <c>mk_test_</c> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The database; dispose it to drop it.</returns>
    /// <exception cref="ArgumentException">The prefix holds other characters than ASCII letters, digits and underscores, or is too long.</exception>
    /// <exception cref="ObjectDisposedException">The server has been disposed.</exception>
    public async Task<ThrowawayDatabase> CreateEmptyDatabaseAsync(string? namePrefix = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var name = DatabaseNames.Create(namePrefix);
        await templates.CloneAsync("template0", name, cancellationToken).ConfigureAwait(false);
        return Register(name);
    }

    /// <summary>
    /// Creates a throwaway database that holds every migration of <paramref name="source"/>. The first call for a
    /// set of migrations (and options that shape the schema: schema and table name) migrates a template database
    /// named from a hash of their checksums; later calls, from this process or another, clone it with
    /// <c>CREATE DATABASE … TEMPLATE</c>, which takes milliseconds. Changed migrations get a new template.
    /// </summary>
    /// <param name="source">The migrations.</param>
    /// <param name="configure">Sets the migration options (schema, table name, …); the connection string is ignored.</param>
    /// <param name="cancellationToken">Cancels the wait; a template build already under way carries on for other callers.</param>
    /// <returns>The database; dispose it to drop it.</returns>
    /// <exception cref="MigrationException">The migrations are invalid or fail; nothing is left behind.</exception>
    /// <exception cref="ObjectDisposedException">The server has been disposed.</exception>
    public async Task<ThrowawayDatabase> CreateDatabaseAsync(IMigrationSource source, Action<MigrationOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var migrations = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        var options = new MigrationOptions();
        configure?.Invoke(options);
        var template = DatabaseTemplates.NameFor(migrations, options);
        await templates.EnsureAsync(template, migrations, configure, cancellationToken).ConfigureAwait(false);
        var name = spares.TryTake(template);
        if (name is null)
        {
            name = DatabaseNames.Create(DatabaseNames.DefaultPrefix);
            await templates.CloneAsync(template, name, cancellationToken).ConfigureAwait(false);
        }

        var database = Register(name);
        spares.Refill(template);   // does nothing once the server is being disposed
        return database;
    }

    /// <summary>
    /// Verifies every migration of <paramref name="source"/> on a new, empty throwaway database of this server, in
    /// version order: applies its up script; when it has a down script, applies the down script and compares the
    /// schema with the schema before the up script (schemas, tables, columns with their types, defaults and
    /// nullability, constraints, indexes, sequences, views, materialized views, functions and procedures with their
    /// bodies, triggers, enum and domain types, policies, comments; never the history table), then applies the up
    /// script again. Scripts run through <see cref="MigrationRunner"/>, as in production. The first script that fails
    /// ends the verification: the migrations after it are reported as not run. The database is dropped afterwards.
    /// </summary>
    /// <param name="source">The migrations.</param>
    /// <param name="configure">Sets the migration options (history schema and table, timeouts, …); the connection string is ignored.</param>
    /// <param name="cancellationToken">Cancels the verification; the throwaway database is dropped all the same.</param>
    /// <returns>
    /// The report: per migration, whether the up script ran, whether the down script restored the schema (or every
    /// difference, naming the object), whether the up script ran again, and how long each took. A script that fails
    /// on the server is reported there (<see cref="MigrationVerification.Failure"/>, with its file, line and column),
    /// not thrown.
    /// </returns>
    /// <exception cref="MigrationException">
    /// The migrations cannot be loaded or planned (a malformed folder, say); nothing was run.
    /// </exception>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    /// <exception cref="ObjectDisposedException">The server has been disposed.</exception>
    public async Task<VerificationReport> VerifyAsync(IMigrationSource source, Action<MigrationOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var migrations = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        var options = new MigrationOptions();
        configure?.Invoke(options);
        options.ConnectionString = null;
        return await MigrationVerifier.VerifyAsync(this, migrations, options, loggerFactory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the server: a local cluster is stopped (<c>pg_ctl stop -m immediate</c>) and its folder deleted; a
    /// container is disposed; for an external server, the databases this instance created that are not dropped yet
    /// (not disposed, disposed but still queued, and unused spares) are dropped before this returns.
    /// </summary>
    /// <returns>A task that completes when the server is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        var external = Kind == PostgresServerKind.External;
        var unusedSpares = await spares.StopAsync().ConfigureAwait(false);
        ServerQueries.ClearPool(ConnectionString);
        foreach (var name in databases.Keys)
        {
            if (databases.TryRemove(name, out var database))
            {
                ServerQueries.ClearPool(database.ConnectionString);
                if (external)
                {
                    drops.Enqueue(name);
                }
            }
        }

        foreach (var name in unusedSpares)
        {
            // Each spare holds a warm connection in Npgsql's pool.
            ServerQueries.ClearPool(GetConnectionString(name));
            if (external)
            {
                drops.Enqueue(name);
            }
        }

        // Only an external server outlives this instance; a cluster or container takes its databases with it.
        await drops.StopAsync(drain: external).ConfigureAwait(false);
        drops.Dispose();
        spares.Dispose();

        try
        {
            if (cluster is not null)
            {
                await cluster.StopAsync().ConfigureAwait(false);
            }

            if (container is not null)
            {
                await container.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException
            or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Log.ServerStopFailed(logger, Kind, exception);
        }
    }

    /// <summary>Gets the private cluster this instance started; <see langword="null"/> for an external server or a container.</summary>
    internal LocalCluster? Cluster => cluster;

    /// <summary>Gets the logger of this instance (for the test topology: standbys and poolers in front of it).</summary>
    internal ILogger Logger => logger;

    /// <summary>
    /// Restarts a private cluster in place (same port, same data), like <c>pg_ctl restart</c>: every session is ended
    /// (<paramref name="mode"/> <c>fast</c>, SQLSTATE 57P01) or the server crashes and recovers (<c>immediate</c>).
    /// Other connection pools are left as they are, as a real restart leaves an application's (only this instance's own,
    /// for creating and dropping databases and the warm connections of spare databases, are cleared). A test hook for
    /// fault tests; only a local cluster can be restarted.
    /// </summary>
    /// <exception cref="NotSupportedException">The server is external or a container.</exception>
    internal async Task RestartAsync(string mode = "fast", CancellationToken cancellationToken = default)
    {
        await RequireCluster("restarted").RestartAsync(mode, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        ClearOwnPools();
    }

    /// <summary>
    /// Stops a private cluster's server and keeps its data (<c>pg_ctl stop -m</c> <paramref name="mode"/>: <c>fast</c>
    /// ends every session with SQLSTATE 57P01; <c>immediate</c> is a crash), until <see cref="StartServerAsync"/>. A test
    /// hook for failover tests: the primary goes away while a standby is promoted. Pools as for <see cref="RestartAsync"/>.
    /// An immediate stop of a cluster that runs with <c>synchronous_commit = off</c> (the default of private clusters, for
    /// speed) loses the commits of the last few hundred milliseconds, as a crash of such a server would; a test that
    /// counts commits across an immediate stop starts the server with <see cref="PostgresServerOptions.SynchronousCommit"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The server is external or a container.</exception>
    internal async Task StopServerAsync(string mode = "fast", CancellationToken cancellationToken = default)
    {
        var local = RequireCluster("stopped");
        await local.StopServerAsync(mode, cancellationToken).ConfigureAwait(false);
        ClearOwnPools();
        Log.LocalClusterServerStopped(logger, local.Port, mode);
    }

    /// <summary>Starts a private cluster's server again after <see cref="StopServerAsync"/>, on the same port.</summary>
    /// <exception cref="NotSupportedException">The server is external or a container.</exception>
    internal async Task StartServerAsync(CancellationToken cancellationToken = default)
    {
        var local = RequireCluster("started again");
        var stopwatch = Stopwatch.StartNew();
        await local.StartServerAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        ClearOwnPools();
        Log.LocalClusterServerStarted(logger, local.Port, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>
    /// Drops <paramref name="database"/> now, or queues it to be dropped in the background; nothing when the server
    /// has been disposed (which dropped or removed it already).
    /// </summary>
    internal async Task DropDatabaseAsync(ThrowawayDatabase database, bool inBackground, CancellationToken cancellationToken = default)
    {
        if (!databases.TryRemove(database.Name, out _) || Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        // Idle pooled connections go now, so they cannot be handed out again; open ones are ended by the drop.
        ServerQueries.ClearPool(database.ConnectionString);
        if (!inBackground || !drops.Enqueue(database.Name))
        {
            await DropAsync(database.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    private LocalCluster RequireCluster(string what)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return cluster ?? throw new NotSupportedException($"Only a private cluster started by this instance can be {what}; this server is {Kind}.");
    }

    /// <summary>After a restart, the connections this instance keeps for itself must not be handed out again.</summary>
    private void ClearOwnPools()
    {
        ServerQueries.ClearPool(adminConnectionString);
        spares.ClearPools();
    }

    private ThrowawayDatabase Register(string name)
    {
        var database = new ThrowawayDatabase(this, name, GetConnectionString(name));
        databases[name] = database;
        Log.DatabaseCreated(logger, name);
        return database;
    }

    /// <summary>Drops databases and templates that crashed runs left on this server.</summary>
    private async Task CleanStaleAsync(CancellationToken cancellationToken)
    {
        try
        {
            await templates.CleanStaleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            Log.DatabaseDropFailed(logger, "(stale databases)", exception);
        }
    }

    private async Task DropAsync(string name, CancellationToken cancellationToken)
    {
        var quoted = DatabaseNames.Quote(name);
        if (ServerVersion.Major >= 13)
        {
            await ServerQueries.ExecuteAsync(adminConnectionString, $"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            for (var attempt = 1; ; attempt++)
            {
                await ServerQueries.ExecuteAsync(
                    maintenanceConnectionString,
                    $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()",
                    cancellationToken).ConfigureAwait(false);
                try
                {
                    await ServerQueries.ExecuteAsync(maintenanceConnectionString, $"DROP DATABASE IF EXISTS {quoted}", cancellationToken)
                        .ConfigureAwait(false);
                    break;
                }
                catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 20)
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        Log.DatabaseDropped(logger, name);
    }
}
