using System.CommandLine;
using MigrationKit.Cli.Connection;
using MigrationKit.Cli.Output;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using Npgsql;

namespace MigrationKit.Cli;

/// <summary>One command's run: its parsed command line, the environment, and the engine objects built from them.</summary>
internal sealed class CommandContext : IAsyncDisposable
{
    private readonly GlobalOptions _options;
    private DatabaseTarget? _database;
    private bool _databaseRead;
    private NpgsqlDataSource? _dataSource;

    public CommandContext(ParseResult parse, GlobalOptions options, CliEnvironment env, Interruption interruption)
    {
        Parse = parse;
        _options = options;
        Env = env;
        Interruption = interruption;
        Log = new CliLog(env, parse.GetValue(options.Verbose));
        OutPaint = new Painter(env.UsesColor(env.IsOutputTerminal));
        ErrorPaint = new Painter(env.UsesColor(env.IsErrorTerminal));
    }

    public ParseResult Parse { get; }

    public CliEnvironment Env { get; }

    public Interruption Interruption { get; }

    public CliLog Log { get; }

    public Painter OutPaint { get; }

    public Painter ErrorPaint { get; }

    /// <summary>Gets or sets a value indicating whether the command runs scripts, for the message after an interruption.</summary>
    public bool RunsScripts { get; set; }

    public string Source => Parse.GetValue(_options.Source) ?? GlobalOptions.DefaultSource;

    /// <summary>Gets a value indicating whether <c>--database</c> was given on the command line (not <c>DATABASE_URL</c>).</summary>
    public bool HasDatabaseOption => !string.IsNullOrWhiteSpace(Parse.GetValue(_options.Database));

    /// <summary>Gets a value indicating whether <c>--source</c> was given, rather than defaulted.</summary>
    public bool IsSourceGiven => Parse.GetResult(_options.Source) is { Implicit: false };

    /// <summary>The database from <c>--database</c>, else <c>DATABASE_URL</c>; <see langword="null"/> when neither is set.</summary>
    /// <exception cref="CliUsageException">The value is malformed.</exception>
    public DatabaseTarget? FindDatabase()
    {
        if (_databaseRead)
        {
            return _database;
        }

        _databaseRead = true;
        string? value = Parse.GetValue(_options.Database);
        string from = "--database";
        if (string.IsNullOrWhiteSpace(value))
        {
            value = Env.GetVariable(GlobalOptions.DatabaseVariable);
            from = GlobalOptions.DatabaseVariable;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        _database = DatabaseAddress.Parse(value);
        Log.Secret = _database.Password;
        Log.Debug($"{_database} (from {from}; password {(_database.Password is null ? "not given" : "given")})");
        foreach (string warning in _database.Warnings)
        {
            Log.Error(ErrorPaint.Yellow("warning: ") + warning);
        }

        return _database;
    }

    /// <exception cref="CliUsageException">No database is given, or it is malformed.</exception>
    public DatabaseTarget RequireDatabase() => FindDatabase() ?? throw new CliUsageException(
        $"No database: pass --database postgres://user:password@host:5432/database, or set {GlobalOptions.DatabaseVariable}.");

    /// <summary>The engine's options from the command line (and the URL's golang-migrate parameters).</summary>
    public MigrationOptions CreateOptions(DatabaseTarget? database, bool allowDrop = false)
    {
        var options = new MigrationOptions
        {
            ConnectionString = database?.ConnectionString,
            Schema = Parse.GetValue(_options.Schema) ?? MigrationOptions.DefaultSchema,
            TableName = Parse.GetValue(_options.Table) ?? database?.TableFromUrl ?? MigrationOptions.DefaultTableName,
            StatementTimeout = Parse.GetValue(_options.StatementTimeout) ?? database?.StatementTimeoutFromUrl,
            AllowDrop = allowDrop,
            LockMode = Parse.GetValue(_options.LockMode) ?? LockMode.Auto,
            OutOfOrder = Parse.GetValue(_options.OutOfOrder) ? OutOfOrderPolicy.Apply : OutOfOrderPolicy.Fail,
            AllowEmptySource = Parse.GetValue(_options.AllowEmptySource),
        };
        if (Parse.GetValue(_options.LeaseTimeout) is { } leaseTimeout)
        {
            options.LeaseTimeout = leaseTimeout;
        }

        if (Parse.GetValue(_options.LockTimeout) is { } lockTimeout)
        {
            options.LockTimeout = lockTimeout;
        }

        options.ReplacePlaceholders = Parse.GetValue(_options.NoPlaceholders) ? false : null;
        foreach (string placeholder in Parse.GetValue(_options.Placeholder) ?? [])
        {
            int equals = placeholder.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // The text after '=' may be a secret: never echoed.
                throw new CliUsageException(equals < 0
                    ? $"--placeholder takes name=value (such as --placeholder owner=app_owner), not '{placeholder}'."
                    : "--placeholder takes name=value (such as --placeholder owner=app_owner); one has no name before '='.");
            }

            string name = placeholder[..equals];
            if (!options.Placeholders.TryAdd(name, placeholder[(equals + 1)..]))
            {
                throw new CliUsageException($"--placeholder gives {name} twice; give each placeholder once.");
            }
        }

        return options;
    }

    /// <summary>The folder of <c>--source</c>.</summary>
    /// <exception cref="CliUsageException">It is not a folder: it does not exist, or it is a file.</exception>
    public FileSystemMigrationSource CreateSource()
    {
        if (!Directory.Exists(Source))
        {
            throw new CliUsageException(File.Exists(Source)
                ? $"--source {Source} is a file; give the folder that holds the migration files ({{version}}_{{description}}.up.sql / .down.sql)."
                : $"--source {Source}: the folder does not exist (full path {Path.GetFullPath(Source)}). Check the path, or create the folder and a first migration with `migrationkit create`.");
        }

        return new(Source);
    }

    /// <summary>A runner over <c>--source</c> (or <paramref name="source"/>) and the database.</summary>
    /// <exception cref="CliUsageException">No database, or an option the engine refuses (a schema name too long, say).</exception>
    public (MigrationRunner Runner, PostgresMigrationStore Store, DatabaseTarget Database) CreateRunner(
        bool allowDrop = false, Action<MigrationOptions>? configure = null, string? source = null, bool readsSource = true)
    {
        DatabaseTarget database = RequireDatabase();
        MigrationOptions options = CreateOptions(database, allowDrop);
        configure?.Invoke(options);
        PostgresMigrationStore store;
        try
        {
            _dataSource ??= CliDataSource.Create(database);
            store = new PostgresMigrationStore(_dataSource, options, Log.CreateLogger<PostgresMigrationStore>(), Env.Time);
        }
        catch (ArgumentException ex)
        {
            // The engine lists every problem by option name; say which flags they come from.
            throw new CliUsageException(ex.Message.Replace(" (Parameter 'options')", string.Empty, StringComparison.Ordinal) + " (see --schema, --table, --lock-timeout, --statement-timeout, --lease-timeout, --placeholder)");
        }

        Log.Debug($"source {source ?? Source}, history {store.HistoryTable}");

        // drop reads no migration: its folder need not exist.
        IMigrationSource migrations = source is not null ? new FileSystemMigrationSource(source)
            : readsSource ? CreateSource()
            : new FileSystemMigrationSource(Source);
        return (new MigrationRunner(migrations, store, options, Log.CreateLogger<MigrationRunner>(), Env.Time), store, database);
    }

    /// <summary>Asks a yes/no question on standard error and reads the answer from standard input; only y or yes is yes.</summary>
    public async Task<bool> ConfirmAsync(string question, CancellationToken cancellationToken)
    {
        Log.Error(question);
        await Env.Error.WriteAsync(ErrorPaint.Bold("Continue? [y/N] ")).ConfigureAwait(false);
        await Env.Error.FlushAsync(cancellationToken).ConfigureAwait(false);

        // A console read cannot be cancelled; Ctrl+C must still end the wait.
        string? answer = await Task.Run(() => Env.In.ReadLine(), CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            await Env.Error.WriteLineAsync().ConfigureAwait(false);
            Log.Error("No answer: standard input is closed. Nothing was done; pass --yes to run without the question.");
            return false;
        }

        if (!Env.IsInputTerminal)
        {
            // Nobody typed it, so nothing echoed it: end the question's line.
            await Env.Error.WriteLineAsync(answer).ConfigureAwait(false);
        }

        if (answer.Trim().ToUpperInvariant() is "Y" or "YES")
        {
            return true;
        }

        Log.Error("Nothing was done.");
        return false;
    }

    /// <summary>Closes the data source of the command, if it made one.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
