using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Finds or starts the server behind a <see cref="PostgresServer"/>, trying each kind in turn: (1) an external server
/// named by a connection string; (2) a private cluster from the local server binaries; (3) a container on a Docker
/// engine. Why each kind was not used is logged as it goes, and said in the error when none is available.
/// </summary>
internal static class ServerDiscovery
{
    /// <summary>
    /// Returns the first kind of server that is available; see <see cref="PostgresServer.StartAsync(PostgresServerOptions?, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// No kind of server is available (the message says why for each, and what to do), or the external server cannot be reached.
    /// </exception>
    public static async Task<DiscoveredServer> FindAsync(PostgresServerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();

        // 1. An external server: when one is named, it is used or the start fails; nothing else is tried.
        var (connectionString, source) = ExternalConnectionString(options);
        if (connectionString is not null)
        {
            return await StartExternalAsync(connectionString, source, options, logger, cancellationToken).ConfigureAwait(false);
        }

        var search = new SearchLog(logger);
        search.Skip(
            PostgresServerKind.External,
            options.IgnoreEnvironmentVariable
                ? "PostgresServerOptions.ConnectionString is not set"
                : $"neither PostgresServerOptions.ConnectionString nor the {PostgresServerOptions.ConnectionStringEnvironmentVariable} environment variable is set");

        // 2. A private cluster from the local binaries; 3. a container.
        var server = await TryStartLocalClusterAsync(options, search, cancellationToken).ConfigureAwait(false)
            ?? await TryStartContainerAsync(options, search, cancellationToken).ConfigureAwait(false);
        if (server is not null)
        {
            return server;
        }

        var message = NoServerMessage(search.Reasons, stopwatch.Elapsed);
        throw search.Failures.Count switch
        {
            0 => new InvalidOperationException(message),
            1 => new InvalidOperationException(message, search.Failures[0]),
            _ => new InvalidOperationException(message, new AggregateException(search.Failures)),
        };
    }

    /// <summary>The connection string of an external server, and where it was given; none when neither place gives one.</summary>
    private static (string? ConnectionString, string Source) ExternalConnectionString(PostgresServerOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return (options.ConnectionString, "PostgresServerOptions.ConnectionString");
        }

        if (!options.IgnoreEnvironmentVariable
            && Environment.GetEnvironmentVariable(PostgresServerOptions.ConnectionStringEnvironmentVariable) is { } fromEnvironment
            && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return (fromEnvironment, $"the {PostgresServerOptions.ConnectionStringEnvironmentVariable} environment variable");
        }

        return (null, string.Empty);
    }

    private static async Task<DiscoveredServer> StartExternalAsync(
        string connectionString, string source, PostgresServerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"The connection string in {source} is not a valid Npgsql connection string: {exception.Message}", exception);
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = "postgres";
        }

        var description = string.Create(
            CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username ?? "(default user)"}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        try
        {
            var server = await QueryAsync(PostgresServerKind.External, builder.ConnectionString, logger, null, timeout.Token)
                .ConfigureAwait(false);
            var chosen = $"PostgreSQL {server.ServerVersion} at {description}";
            var reason = $"a connection string is given by {source}";
            Log.ServerChosen(logger, PostgresServerKind.External, chosen, reason);
            return server;
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL server given by {source} ({description}) cannot be used: {exception.Message}", exception);
        }
    }

    /// <summary>Queries the version of a server that is up (external, or in a container); a local cluster knows its own.</summary>
    private static async Task<DiscoveredServer> QueryAsync(
        PostgresServerKind kind, string connectionString, ILogger logger, IAsyncDisposable? container, CancellationToken cancellationToken)
    {
        var version = await ServerQueries.QueryVersionAsync(ServerQueries.Unpooled(connectionString), cancellationToken).ConfigureAwait(false);
        return new DiscoveredServer(kind, connectionString, version, logger, null, container);
    }

    private static async Task<DiscoveredServer?> TryStartLocalClusterAsync(
        PostgresServerOptions options, SearchLog search, CancellationToken cancellationToken)
    {
        if (!options.AllowLocalCluster)
        {
            search.Skip(PostgresServerKind.LocalCluster, "disabled by PostgresServerOptions.AllowLocalCluster");
            return null;
        }

        if (OperatingSystem.IsWindows())
        {
            search.Skip(PostgresServerKind.LocalCluster, "private clusters are supported on Linux and macOS only");
            return null;
        }

        var binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, cancellationToken).ConfigureAwait(false);
        if (binaries.Binaries is null)
        {
            search.Skip(PostgresServerKind.LocalCluster, binaries.WhyNot!);
            return null;
        }

        var user = await ServerUser.GetAsync().ConfigureAwait(false);
        if (user.User is null)
        {
            search.Skip(PostgresServerKind.LocalCluster, user.WhyNot!);
            return null;
        }

        var earlier = search.Summary();
        try
        {
            var settings = new LocalClusterSettings(
                options.StartTimeout,
                options.UseClusterTemplate,
                options.PortPicker ?? LocalCluster.PickFreePort,
                Environment.ProcessId,
                StartWatchdog: true,
                SynchronousCommit: options.SynchronousCommit);
            var cluster = await LocalCluster.StartAsync(binaries.Binaries, user.User, settings, search.Logger, cancellationToken)
                .ConfigureAwait(false);
            var server = new DiscoveredServer(
                PostgresServerKind.LocalCluster, cluster.ConnectionString, cluster.ServerVersion, search.Logger, cluster, null);
            var description = string.Create(
                CultureInfo.InvariantCulture,
                $"PostgreSQL {server.ServerVersion} from {binaries.Binaries.BinDirectory} on 127.0.0.1:{cluster.Port}, running as {user.User.Name}");
            var reason = $"found local PostgreSQL server binaries ({earlier})";
            Log.ServerChosen(search.Logger, PostgresServerKind.LocalCluster, description, reason);
            return server;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            search.Fail(PostgresServerKind.LocalCluster, exception);
            return null;
        }
    }

    private static async Task<DiscoveredServer?> TryStartContainerAsync(
        PostgresServerOptions options, SearchLog search, CancellationToken cancellationToken)
    {
        if (!options.AllowContainer)
        {
            search.Skip(PostgresServerKind.Container, "disabled by PostgresServerOptions.AllowContainer");
            return null;
        }

        // Testcontainers needs code generated at run time (reflection-based JSON): there is no container path in a
        // Native AOT app, nor in a trimmed app that turned the switch off.
        if (!RuntimeFeature.IsDynamicCodeSupported || !ContainerSupport.IsEnabled)
        {
            search.Skip(PostgresServerKind.Container, ContainerSupport.DisabledReason);
            return null;
        }

        return await StartContainerAsync(options, search, cancellationToken).ConfigureAwait(false);
    }

    [RequiresDynamicCode(ContainerServer.TrimWarning)]
    private static async Task<DiscoveredServer?> StartContainerAsync(
        PostgresServerOptions options, SearchLog search, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var docker = options.DockerEndpoints is { } endpoints
            ? await DockerProbe.ProbeAsync(endpoints, DockerProbe.DefaultTimeout, cancellationToken).ConfigureAwait(false)
            : await DockerProbe.ProbeAsync(cancellationToken).ConfigureAwait(false);
        Log.DockerProbed(search.Logger, stopwatch.ElapsedMilliseconds, docker.Description);
        if (!docker.IsAvailable)
        {
            search.Skip(PostgresServerKind.Container, docker.Description);
            return null;
        }

        var earlier = search.Summary();
        try
        {
            stopwatch.Restart();

            // With DOCKER_HOST set, Testcontainers reads it (and its TLS settings) itself.
            var endpoint = options.DockerEndpoints is null && Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 }
                ? null
                : docker.Endpoint;
            var container = await ContainerServer.StartAsync(options.ContainerImage, endpoint, options.StartTimeout, search.Logger, cancellationToken)
                .ConfigureAwait(false);
            try
            {
                var server = await QueryAsync(
                    PostgresServerKind.Container, container.GetConnectionString(), search.Logger, container, cancellationToken).ConfigureAwait(false);
                Log.ContainerStarted(search.Logger, options.ContainerImage, stopwatch.ElapsedMilliseconds);
                var description = $"PostgreSQL {server.ServerVersion} in a container from {options.ContainerImage}";
                var reason = $"{docker.Description} ({earlier})";
                Log.ServerChosen(search.Logger, PostgresServerKind.Container, description, reason);
                return server;
            }
            catch
            {
                await container.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            search.Fail(PostgresServerKind.Container, exception);
            return null;
        }
    }

    private static string NoServerMessage(IReadOnlyList<(PostgresServerKind Kind, string Reason)> reasons, TimeSpan elapsed)
    {
        var message = new StringBuilder("No PostgreSQL server is available for tests");
        message.Append(CultureInfo.InvariantCulture, $" (searched for {elapsed.TotalMilliseconds:0} ms):");
        foreach (var (kind, reason) in reasons)
        {
            message.AppendLine().Append(CultureInfo.InvariantCulture, $"- {kind}: {reason}");
        }

        message.AppendLine()
            .Append("To fix this, do one of: set the ")
            .Append(PostgresServerOptions.ConnectionStringEnvironmentVariable)
            .Append(" environment variable to the Npgsql connection string of a server where the user may create databases; ")
            .Append("install the PostgreSQL server binaries (initdb, pg_ctl, postgres; e.g. the postgresql package) or point PostgresServerOptions.BinDirectory at them; ")
            .Append("or start a Docker engine (reachable through DOCKER_HOST or /var/run/docker.sock).");
        return message.ToString();
    }
}
