using MigrationKit.Linting;

namespace MigrationKit;

/// <summary>
/// Settings for a migration run: where the history lives, how long to wait, and which plans are allowed.
/// </summary>
public sealed class MigrationOptions
{
    /// <summary>The default schema of the history table.</summary>
    public const string DefaultSchema = "public";

    /// <summary>The default name of the history table.</summary>
    public const string DefaultTableName = "schema_migrations";

    /// <summary>The default application name reported to PostgreSQL when the connection string names none.</summary>
    public const string DefaultApplicationName = "MigrationKit";

    /// <summary>The default <see cref="LockTimeout"/>, 30 seconds.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="LeaseTimeout"/>, 30 seconds.</summary>
    public static readonly TimeSpan DefaultLeaseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the Npgsql connection string. When it is <see langword="null"/> in a host, the
    /// <see cref="Npgsql.NpgsqlDataSource"/> registered in dependency injection is used.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the schema that holds the history table; it is created when missing.</summary>
    /// <value>The default is <c>public</c>.</value>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Gets or sets the name of the history table.</summary>
    /// <value>The default is <c>schema_migrations</c>.</value>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>Gets or sets how long a runner waits for another runner's migration lock before it gives up.</summary>
    /// <value>The default is 30 seconds; it must be positive.</value>
    public TimeSpan LockTimeout { get; set; } = DefaultLockTimeout;

    /// <summary>
    /// Gets or sets PostgreSQL's <c>statement_timeout</c> for every migration (set per transaction, so nothing is
    /// left on a pooled server connection), or <see langword="null"/> to
    /// keep the server's setting.
    /// </summary>
    /// <value>The default is <see langword="null"/>; when set it must be positive.</value>
    public TimeSpan? StatementTimeout { get; set; }

    /// <summary>
    /// Gets or sets PostgreSQL's <c>lock_timeout</c> for the migration session: how long DDL may wait for a table
    /// lock before it fails, or <see langword="null"/> to keep the server's setting.
    /// </summary>
    /// <value>The default is <see langword="null"/>; when set it must be positive.</value>
    public TimeSpan? DdlLockTimeout { get; set; }

    /// <summary>
    /// Gets or sets how many times a transactional migration that failed only because a table lock was not granted
    /// in time (SQLSTATE 55P03) is retried whole.
    /// </summary>
    /// <value>The default is 0; it must not be negative.</value>
    public int DdlLockRetries { get; set; }

    /// <summary>Gets or sets a value indicating whether the hosted service migrates the database at start-up.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Gets or sets what happens to pending versions lower than the newest applied one.</summary>
    /// <value>The default is <see cref="OutOfOrderPolicy.Fail"/>.</value>
    public OutOfOrderPolicy OutOfOrder { get; set; } = OutOfOrderPolicy.Fail;

    /// <summary>Gets or sets a value indicating whether every migration must have a down script.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool RequireDownScripts { get; set; }

    /// <summary>Gets or sets a value indicating whether versions must be 1, 2, 3, … without gaps.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool RequireSequentialVersions { get; set; }

    /// <summary>Gets or sets a value indicating whether <see cref="IMigrationRunner.DropAsync"/> may run.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool AllowDrop { get; set; }

    /// <summary>
    /// Gets or sets how long start-up keeps retrying a database that is not reachable yet (connection refused,
    /// database starting up). SQL errors are never retried.
    /// </summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>: no retry. It must not be negative.</value>
    public TimeSpan StartupConnectRetry { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Gets or sets how runners of one history table take turns: an advisory lock on a direct connection, a lease row
    /// behind a connection pooler such as PgBouncer in transaction mode.
    /// </summary>
    /// <value>The default is <see cref="MigrationKit.LockMode.Auto"/>, which picks one per connection.</value>
    public LockMode LockMode { get; set; } = LockMode.Auto;

    /// <summary>
    /// Gets or sets how long a lease (<see cref="MigrationKit.LockMode.Lease"/>) lasts without renewal: the holder renews
    /// it in the background at a third of this, and a holder that died is taken over once it has expired.
    /// </summary>
    /// <value>The default is 30 seconds; it must be at least one second.</value>
    public TimeSpan LeaseTimeout { get; set; } = DefaultLeaseTimeout;

    /// <summary>
    /// Gets or sets a value indicating whether a source that holds no migration is accepted. By default it is an error
    /// (a forgotten <c>EmbeddedResource</c> item or a mistyped folder would otherwise look like "nothing to do").
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool AllowEmptySource { get; set; }

    /// <summary>
    /// Gets or sets the lint settings: a severity per rule (<c>Lint:Rules:breaking-drop = Error</c>) and the
    /// PostgreSQL version the rules follow.
    /// </summary>
    /// <value>Every rule at its default severity, the version read from the server (else 15).</value>
    public MigrationLintOptions Lint { get; set; } = new();

    /// <summary>
    /// Gets the values of placeholders: <c>${name}</c> in a script is replaced by the value of <c>name</c> before the
    /// script runs, as written (a value is SQL the deployer provides). <c>${schema}</c> is built in and always
    /// available: <see cref="Schema"/>, inserted as data (a quoted identifier in SQL code and in a dollar-quoted body,
    /// the bare name inside a string literal or a quoted identifier), so no schema name can inject anything. Names are
    /// letters, digits and underscores, not starting with a digit, and compared case-sensitively; <c>schema</c> cannot
    /// be given here. A placeholder in a comment is left alone; a <c>${name}</c> that is neither built in nor given here
    /// is a validation error, reported with its file, line and column before anything runs. The checksum of a script is
    /// that of its text before replacement, so one migration has one checksum across every target. See
    /// docs/fleets.md.
    /// </summary>
    /// <value>Empty by default.</value>
    public IDictionary<string, string> Placeholders { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets whether placeholders (<c>${name}</c>, see <see cref="Placeholders"/>) are replaced in scripts:
    /// <see langword="true"/> always, <see langword="false"/> never (for <c>${…}</c> text meant for the server), and
    /// <see langword="null"/> when the run uses them: <see cref="Placeholders"/> holds a value, or the run targets a
    /// schema with <see cref="SetSearchPath"/> (a fleet's schema targets; fleets always replace). So a folder that
    /// golang-migrate runs, which may hold <c>${…}</c> text of its own, runs unchanged unless placeholders are asked for.
    /// </summary>
    /// <value>The default is <see langword="null"/>: replaced when the run uses placeholders.</value>
    public bool? ReplacePlaceholders { get; set; }

    /// <summary>Gets a value indicating whether this run replaces placeholders (<see cref="ReplacePlaceholders"/>).</summary>
    internal bool ReplacesPlaceholders => ReplacePlaceholders ?? (Placeholders.Count > 0 || SetSearchPath);

    /// <summary>
    /// Gets or sets a value indicating whether every script runs with <see cref="Schema"/> first on the search path
    /// (<c>SET LOCAL search_path = "schema", public</c> in each migration's transaction), so unqualified names in the
    /// scripts create and find objects in that schema: how one folder migrates every tenant of a schema-per-tenant
    /// database. A fleet sets it for its schema targets. With it off, scripts run with the connection's search path.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool SetSearchPath { get; set; }

    /// <summary>Returns a copy of these options.</summary>
    /// <returns>A new instance with the same values.</returns>
    internal MigrationOptions Clone()
    {
        var copy = (MigrationOptions)MemberwiseClone();
        copy.Lint = Lint?.Clone() ?? new MigrationLintOptions();
        copy.Placeholders = new Dictionary<string, string>(Placeholders, StringComparer.Ordinal);
        return copy;
    }
}
