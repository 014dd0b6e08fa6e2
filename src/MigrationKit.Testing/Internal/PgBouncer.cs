using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// A real PgBouncer (the distribution's <c>pgbouncer</c> program) in front of a PostgreSQL server, for tests of what
/// production poolers do: it listens on a free loopback port, forwards every database name to the server, and
/// authenticates clients as the server would (see <see cref="PgBouncerHba"/>). It runs as the user that runs the
/// private clusters (PgBouncer refuses root), with its configuration and log in a folder under the cluster root that
/// is deleted on dispose, or by the cluster watchdog and janitor when the test process dies first.
/// </summary>
/// <example>
/// <code>
/// await using var pooler = await PgBouncer.StartAsync(server, new PgBouncerSettings { DefaultPoolSize = 2 });
/// await using var connection = new NpgsqlConnection(pooler.GetConnectionString(database.Name));
/// var servers = await pooler.ShowAsync("SERVERS");
/// </code>
/// </example>
internal sealed class PgBouncer : IAsyncDisposable
{
    /// <summary>The name of the process-id file in the folder, which the watchdog and the janitor look for.</summary>
    public const string PidFileName = "pgbouncer.pid";

    private const int MaximumStartAttempts = 5;

    private readonly Process process;
    private readonly ILogger logger;
    private readonly string clientTemplate;
    private int disposed;

    private PgBouncer(string folder, int port, Process process, PgBouncerSettings settings, string adminUser, string clientTemplate, ILogger logger)
    {
        Folder = folder;
        Port = port;
        this.process = process;
        PoolMode = settings.PoolMode;
        DefaultPoolSize = settings.DefaultPoolSize;
        AdminUser = adminUser;
        this.clientTemplate = clientTemplate;
        this.logger = logger;
    }

    /// <summary>Gets the folder holding <c>pgbouncer.ini</c>, the hba and auth files, the pid file and <c>pgbouncer.log</c>.</summary>
    public string Folder { get; }

    /// <summary>Gets the loopback port PgBouncer listens on.</summary>
    public int Port { get; }

    /// <summary>Gets the pool mode.</summary>
    public PgBouncerPoolMode PoolMode { get; }

    /// <summary>Gets the number of server connections per database and user.</summary>
    public int DefaultPoolSize { get; }

    /// <summary>Gets the user PgBouncer looks passwords up as (<c>auth_user</c>) and that may use the admin console.</summary>
    public string AdminUser { get; }

    /// <summary>Gets the process id of PgBouncer.</summary>
    public int ProcessId => process.Id;

    /// <summary>Gets a value indicating whether the PgBouncer process runs.</summary>
    public bool IsRunning => !process.HasExited;

    /// <summary>Gets the path of PgBouncer's log.</summary>
    public string LogPath => Path.Combine(Folder, PgBouncerProcess.LogFileName);

    /// <summary>
    /// Gets the Npgsql connection string to the <c>postgres</c> database through PgBouncer, as the user (and with the
    /// password) of the server's connection string. Npgsql's own pooling is as in the server's connection string.
    /// </summary>
    public string ConnectionString => GetConnectionString("postgres");

    /// <summary>
    /// Says why PgBouncer cannot run here, for <c>Assert.Ignore</c>; <see langword="null"/> when it can. It cannot when
    /// the program is missing (CI installs it: <c>apt-get install pgbouncer</c>), on Windows, or when this process is
    /// root and there is no other user to run it as.
    /// </summary>
    public static async Task<string?> WhyUnavailableAsync(string? binaryPath = null)
    {
        if (OperatingSystem.IsWindows())
        {
            return "the test PgBouncer runs on Linux and macOS only";
        }

        if (PgBouncerProcess.Locate(binaryPath) is null)
        {
            return binaryPath is null
                ? $"PgBouncer is not installed: no 'pgbouncer' on PATH nor in {string.Join(", ", PgBouncerProcess.UsualFolders)} (install it, e.g. 'apt-get install pgbouncer')"
                : $"PgBouncer is not at '{binaryPath}'";
        }

        var user = await ServerUser.GetAsync().ConfigureAwait(false);
        return user.User is null ? "PgBouncer refuses to run as root, like PostgreSQL: " + user.WhyNot : null;
    }

    /// <summary>Starts PgBouncer in front of <paramref name="server"/> (its <see cref="PostgresServer.ConnectionString"/>).</summary>
    /// <exception cref="InvalidOperationException">PgBouncer cannot run here (the message says why) or did not start.</exception>
    public static Task<PgBouncer> StartAsync(PostgresServer server, PgBouncerSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        return StartAsync(server.ConnectionString, settings, server.Logger, cancellationToken);
    }

    /// <summary>
    /// Starts PgBouncer in front of the server of <paramref name="serverConnectionString"/> (one host; its user is the
    /// <c>auth_user</c> and admin user, so it must be able to read <c>pg_shadow</c>, e.g. a superuser).
    /// </summary>
    /// <exception cref="InvalidOperationException">PgBouncer cannot run here (the message says why) or did not start.</exception>
    public static async Task<PgBouncer> StartAsync(
        string serverConnectionString, PgBouncerSettings? settings = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverConnectionString);
        settings ??= new PgBouncerSettings();
        logger ??= NullLogger.Instance;
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.DefaultPoolSize, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxClientConnections, 1, nameof(settings));
        if (await WhyUnavailableAsync(settings.BinaryPath).ConfigureAwait(false) is { } whyNot)
        {
            throw new InvalidOperationException($"The test PgBouncer cannot start: {whyNot}.");
        }

        var stopwatch = Stopwatch.StartNew();
        var binary = PgBouncerProcess.Locate(settings.BinaryPath)!;
        var user = (await ServerUser.GetAsync().ConfigureAwait(false)).User!;
        var server = new NpgsqlConnectionStringBuilder(serverConnectionString);
        if (string.IsNullOrEmpty(server.Host) || server.Host.Contains(',', StringComparison.Ordinal) || server.Host.StartsWith('/'))
        {
            throw new ArgumentException("PgBouncer is put in front of one server reached over TCP; the connection string names no single TCP host.", nameof(serverConnectionString));
        }

        var adminUser = string.IsNullOrEmpty(server.Username) ? "postgres" : server.Username;
        var hba = await PgBouncerHba.BuildAsync(ServerQueries.Unpooled(serverConnectionString), adminUser, cancellationToken).ConfigureAwait(false);

        var folder = Path.Combine(ClusterRoot.Get(), ClusterOwnerFile.NewFolderName(Environment.ProcessId));
        Directory.CreateDirectory(folder);
        try
        {
            ClusterOwnerFile.Write(folder, Environment.ProcessId, ProcessLiveness.CurrentStartTicks());
            await File.WriteAllTextAsync(Path.Combine(folder, PgBouncerConfiguration.HbaFileName), hba, cancellationToken).ConfigureAwait(false);
            await PgBouncerConfiguration.WriteAuthFileAsync(folder, adminUser, server.Password, user, cancellationToken).ConfigureAwait(false);
            await user.TakeOwnershipAsync(folder, cancellationToken).ConfigureAwait(false);
            try
            {
                var pgCtl = (await PostgresBinaries.LocateAsync(null, cancellationToken).ConfigureAwait(false)).Binaries?.PgCtl ?? "false";
                await ClusterWatchdog.StartAsync(Environment.ProcessId, folder, pgCtl, user, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                Log.WatchdogStartFailed(logger, folder, exception);
            }

            var client = new NpgsqlConnectionStringBuilder(serverConnectionString) { Host = "127.0.0.1", Database = "postgres" };
            for (var attempt = 1; ; attempt++)
            {
                var port = (settings.PortPicker ?? LocalCluster.PickFreePort)();
                await File.WriteAllTextAsync(
                    Path.Combine(folder, PgBouncerConfiguration.FileName),
                    PgBouncerConfiguration.Render(folder, port, server, adminUser, settings),
                    cancellationToken).ConfigureAwait(false);
                var (started, failure, portTaken) = await PgBouncerProcess.TryStartAsync(folder, port, binary, user, settings.StartTimeout, cancellationToken)
                    .ConfigureAwait(false);
                if (started is not null)
                {
                    client.Port = port;
                    var pooler = new PgBouncer(folder, port, started, settings, adminUser, client.ConnectionString, logger);
                    Log.PgBouncerStarted(
                        logger, settings.PoolMode, settings.DefaultPoolSize, port, server.Host, server.Port, stopwatch.ElapsedMilliseconds, folder, user.Name);
                    return pooler;
                }

                if (portTaken && attempt < MaximumStartAttempts)
                {
                    Log.PgBouncerPortTaken(logger, port);
                    continue;
                }

                throw new InvalidOperationException($"The test PgBouncer in '{folder}' did not start: {failure}");
            }
        }
        catch
        {
            ClusterJanitor.DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>Returns the Npgsql connection string to <paramref name="database"/> through PgBouncer.</summary>
    /// <param name="database">The database; PgBouncer forwards every name to the server.</param>
    /// <param name="pooling">Npgsql's own pooling of client connections; <see langword="null"/> leaves it as in the server's connection string.</param>
    public string GetConnectionString(string database, bool? pooling = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        var builder = new NpgsqlConnectionStringBuilder(clientTemplate) { Database = database };
        if (pooling is { } value)
        {
            builder.Pooling = value;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Runs <paramref name="command"/> on the admin console and returns its rows (column name to text), e.g.
    /// <c>SHOW SERVERS</c>, <c>SHOW POOLS</c>, <c>SHOW CLIENTS</c>, <c>RECONNECT</c>.
    /// </summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> AdminAsync(string command, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return PgBouncerAdminConsole.QueryAsync(Port, AdminUser, command, TimeSpan.FromSeconds(10), cancellationToken);
    }

    /// <summary>Runs <c>SHOW <paramref name="what"/></c> on the admin console (e.g. <c>SERVERS</c>, <c>POOLS</c>, <c>CLIENTS</c>).</summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> ShowAsync(string what, CancellationToken cancellationToken = default) =>
        AdminAsync("SHOW " + what, cancellationToken);

    /// <summary>
    /// Returns the backend process ids (<c>pg_backend_pid()</c> on the server) of PgBouncer's server connections, to
    /// <paramref name="database"/> or to every database, from <c>SHOW SERVERS</c>.
    /// </summary>
    public async Task<IReadOnlyList<int>> ServerProcessIdsAsync(string? database = null, CancellationToken cancellationToken = default)
    {
        var rows = await ShowAsync("SERVERS", cancellationToken).ConfigureAwait(false);
        return [.. rows
            .Where(row => database is null || string.Equals(row["database"], database, StringComparison.Ordinal))
            .Select(row => int.Parse(row["remote_pid"]!, NumberStyles.None, CultureInfo.InvariantCulture))
            .Where(pid => pid != 0)
            .Order()];
    }

    /// <summary>Kills PgBouncer (its server connections end with it) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // PgBouncer is one process (sh and setpriv exec it), so there is no tree to walk.
                process.Kill();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // It exited meanwhile, or could not be killed; the folder goes anyway and the watchdog has nothing left to do.
        }
        finally
        {
            process.Dispose();
            ClusterJanitor.DeleteFolder(Folder);
            Log.PgBouncerStopped(logger, Port, Folder);
        }
    }
}
