namespace MigrationKit.Testing.Internal;

/// <summary>How a test PgBouncer is configured; the defaults are a production-like transaction pooler.</summary>
internal sealed record PgBouncerSettings
{
    /// <summary>Gets the pool mode.</summary>
    /// <value>The default is <see cref="PgBouncerPoolMode.Transaction"/>.</value>
    public PgBouncerPoolMode PoolMode { get; init; } = PgBouncerPoolMode.Transaction;

    /// <summary>
    /// Gets the number of server connections per database and user (<c>default_pool_size</c>). Several, so that state a
    /// client leaves on one server connection is met by other clients, but fewer than the clients of a busy test, so
    /// clients share them as behind a real pooler.
    /// </summary>
    /// <value>The default is 4.</value>
    public int DefaultPoolSize { get; init; } = 4;

    /// <summary>Gets the most client connections PgBouncer accepts (<c>max_client_conn</c>).</summary>
    /// <value>The default is 1000.</value>
    public int MaxClientConnections { get; init; } = 1000;

    /// <summary>
    /// Gets the startup parameters PgBouncer ignores instead of refusing the connection (<c>ignore_startup_parameters</c>,
    /// comma-separated). Npgsql 10 sends none that PgBouncer does not know, unless the connection string sets
    /// <c>Options</c> or <c>Search Path</c>, which PgBouncer 1.18 refuses with SQLSTATE 08P01 as it would in production.
    /// </summary>
    /// <value>The default is <c>extra_float_digits</c>, the usual production setting (older clients send it).</value>
    public string IgnoreStartupParameters { get; init; } = "extra_float_digits";

    /// <summary>
    /// Gets how long PgBouncer waits before trying again to log in to a server that refused or was down
    /// (<c>server_login_retry</c>), so that a server restarted by a test is used again quickly.
    /// </summary>
    /// <value>The default is 1 second (PgBouncer's own is 15).</value>
    public TimeSpan ServerLoginRetry { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets further <c>[pgbouncer]</c> settings written as they are (e.g. <c>server_reset_query_always = 1</c>); they
    /// override the settings above.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExtraSettings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the <c>pgbouncer</c> program; <see langword="null"/> finds it on <c>PATH</c> and in the usual folders.</summary>
    public string? BinaryPath { get; init; }

    /// <summary>Gets the function that picks a free loopback port; <see langword="null"/> binds port 0 (tests replace it).</summary>
    public Func<int>? PortPicker { get; init; }

    /// <summary>Gets how long PgBouncer may take to listen.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
