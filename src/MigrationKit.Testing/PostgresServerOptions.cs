using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing;

/// <summary>
/// Options for <see cref="PostgresServer.StartAsync(PostgresServerOptions?, CancellationToken)"/>: which kinds of
/// server may be used and how they are found or started.
/// </summary>
public sealed class PostgresServerOptions
{
    /// <summary>
    /// The name of the environment variable that, when set to an Npgsql connection string, makes
    /// <see cref="PostgresServer.StartAsync(PostgresServerOptions?, CancellationToken)"/> use that server.
    /// </summary>
    internal const string ConnectionStringEnvironmentVariable = "MIGRATIONKIT_TEST_CONNECTION";

    /// <summary>
    /// Gets or sets an Npgsql connection string of an existing server to use. When set, it takes
    /// precedence over the <c>MIGRATIONKIT_TEST_CONNECTION</c> environment variable and nothing is started.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets the logger factory used to report which server was chosen and why; no logging when <see langword="null"/>.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a private cluster may be started from the local PostgreSQL server binaries.
    /// </summary>
    public bool AllowLocalCluster { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a PostgreSQL container may be started on a Docker engine.
    /// </summary>
    public bool AllowContainer { get; set; } = true;

    /// <summary>
    /// Gets or sets the folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>. When <see langword="null"/>,
    /// the folders of <c>PATH</c> are searched first, then the usual install locations such as
    /// <c>/usr/lib/postgresql/*/bin</c> (highest version first).
    /// </summary>
    public string? BinDirectory { get; set; }

    /// <summary>
    /// Gets or sets the Docker image of the container started when neither an external server nor local binaries are available.
    /// </summary>
    public string ContainerImage { get; set; } = "postgres:15-alpine";

    /// <summary>
    /// Gets or sets how long starting a local cluster or a container, or connecting to an external server, may take.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how many migrated databases to keep ready for each set of migrations. After
    /// <see cref="PostgresServer.CreateDatabaseAsync(IMigrationSource, Action{MigrationOptions}?, CancellationToken)"/>
    /// hands out a database, it clones the next in the background, so the next call only takes it. The default, 1,
    /// suits tests that run one after another; tests running in parallel may want one per parallel worker. 0 clones
    /// every database on the call that asks for it. Unused spares are dropped with the server.
    /// </summary>
    public int SpareDatabases { get; set; } = 1;

    /// <summary>
    /// Gets or sets a value indicating whether the <c>MIGRATIONKIT_TEST_CONNECTION</c> environment variable is ignored
    /// (tests of this package use it: the variable is process-wide).
    /// </summary>
    internal bool IgnoreEnvironmentVariable { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a private cluster is copied from a cached template instead of made by
    /// <c>initdb</c>: a copy takes tens of milliseconds, <c>initdb</c> about a second.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    /// <remarks>
    /// <para>
    /// The template is an initdb'd data folder, about 40 MB for PostgreSQL 15, made by the first start and kept after the
    /// process ends so that later runs start fast. It lives beside the private clusters, under
    /// <c>/dev/shm/migrationkit-test-clusters-{user}/template-{version}-{hash}</c> (shared memory, which is faster), or
    /// under the temp folder when <c>/dev/shm</c> is missing or has less than 512 MB free. There is one template per
    /// PostgreSQL version (and server binaries); processes share it and only ever copy from it.
    /// </para>
    /// <para>
    /// The cache is bounded, and every start of a private cluster cleans it: it removes the templates whose binaries no
    /// longer exist or now report another version (an uninstall or an upgrade), those unused for 7 days, other templates of
    /// the PostgreSQL version in use, and the least recently used beyond 3 templates; never one used in the last 10
    /// minutes, which another process may be copying. <see langword="false"/> neither uses nor makes a template (each
    /// start runs <c>initdb</c>) and leaves the cache as it is; deleting the folder clears it.
    /// </para>
    /// </remarks>
    public bool UseClusterTemplate { get; set; } = true;

    /// <summary>
    /// Gets or sets the function that picks a free loopback port for a local cluster; tests replace it.
    /// </summary>
    internal Func<int>? PortPicker { get; set; }

    /// <summary>
    /// Gets or sets the Docker endpoints to probe instead of <c>DOCKER_HOST</c> and the usual sockets; tests set it.
    /// </summary>
    internal IReadOnlyList<string>? DockerEndpoints { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a local cluster runs with <c>synchronous_commit = on</c> (as production
    /// servers do) instead of <c>off</c> (faster). With it off, an immediate stop (a crash) may lose the commits of the
    /// last few hundred milliseconds; restart and failover tests that count what was committed turn it on.
    /// </summary>
    internal bool SynchronousCommit { get; set; }
}
