using System.CommandLine;

namespace MigrationKit.Cli;

/// <summary>The options every command takes, before or after the command's name.</summary>
internal sealed class GlobalOptions
{
    public const string DatabaseVariable = "DATABASE_URL";
    public const string DefaultSource = "./migrations";

    public Option<string?> Database { get; } = new("--database")
    {
        Description = $"The database: a postgres://user:password@host:port/database?sslmode=… URL or an Npgsql connection string. Default: ${DatabaseVariable}.",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string> Source { get; } = new("--source", "--path")
    {
        Description = "The folder of migration files ({version}_{description}.up.sql / .down.sql).",
        HelpName = "dir",
        DefaultValueFactory = _ => DefaultSource,
        Recursive = true,
    };

    public Option<string> Schema { get; } = new("--schema")
    {
        Description = "The schema of the history table, created when missing.",
        HelpName = "name",
        DefaultValueFactory = _ => MigrationOptions.DefaultSchema,
        Recursive = true,
    };

    public Option<string?> Table { get; } = new("--table")
    {
        Description = $"The history table. Default: the URL's x-migrations-table, else {MigrationOptions.DefaultTableName}.",
        HelpName = "name",
        Recursive = true,
    };

    public Option<TimeSpan?> LockTimeout { get; } = new("--lock-timeout")
    {
        Description = "How long to wait for another runner's migration lock (500ms, 30s, 5m). Default: 30s.",
        HelpName = "duration",
        CustomParser = Durations.Parse,
        Recursive = true,
    };

    public Option<TimeSpan?> StatementTimeout { get; } = new("--statement-timeout")
    {
        Description = "PostgreSQL's statement_timeout for the migration session. Default: the server's.",
        HelpName = "duration",
        CustomParser = Durations.Parse,
        Recursive = true,
    };

    public Option<MigrationKit.LockMode?> LockMode { get; } = new("--lock-mode")
    {
        Description = "How runners take turns: auto (advisory lock on a direct connection, lease behind a pooler such as PgBouncer), advisory or lease. Default: auto.",
        HelpName = "auto|advisory|lease",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            if (Enum.TryParse(text, ignoreCase: true, out MigrationKit.LockMode mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _))
            {
                return mode;
            }

            result.AddError($"--lock-mode must be auto, advisory or lease, not '{text}'.");
            return null;
        },
        Recursive = true,
    };

    public Option<TimeSpan?> LeaseTimeout { get; } = new("--lease-timeout")
    {
        Description = "How long a migration lease lasts without renewal (--lock-mode lease, or auto behind a pooler). Default: 30s.",
        HelpName = "duration",
        CustomParser = Durations.Parse,
        Recursive = true,
    };

    public Option<bool> OutOfOrder { get; } = new("--out-of-order")
    {
        Description = "Apply pending versions older than the newest applied one instead of refusing.",
        Recursive = true,
    };

    public Option<bool> AllowEmptySource { get; } = new("--allow-empty-source")
    {
        Description = "Accept a folder with no migration (by default an error: a mistyped --source must not look like nothing to do).",
        Recursive = true,
    };

    public Option<string[]> Placeholder { get; } = new("--placeholder")
    {
        Description = "A placeholder's value, as name=value: ${name} in a script becomes value before it runs (repeat for several). ${schema} is built in.",
        HelpName = "name=value",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        Recursive = true,
    };

    public Option<bool> NoPlaceholders { get; } = new("--no-placeholders")
    {
        Description = "Leave ${…} in scripts as written (for scripts whose ${…} text is meant for the server).",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Write the engine's debug log to standard error.",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Add(Database);
        command.Add(Source);
        command.Add(Schema);
        command.Add(Table);
        command.Add(LockTimeout);
        command.Add(StatementTimeout);
        command.Add(LockMode);
        command.Add(LeaseTimeout);
        command.Add(OutOfOrder);
        command.Add(AllowEmptySource);
        command.Add(Placeholder);
        command.Add(NoPlaceholders);
        command.Add(Verbose);
    }
}
