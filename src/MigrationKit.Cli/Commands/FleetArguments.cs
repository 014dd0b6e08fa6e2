using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MigrationKit.Fleet;

namespace MigrationKit.Cli.Commands;

/// <summary>
/// The options that make <c>up</c> or <c>status</c> work on a fleet: the targets (<c>--databases</c>,
/// <c>--schemas</c> or <c>--targets</c>) and how it runs (<c>--parallel</c>, <c>--per-server</c>, and for <c>up</c>
/// <c>--canary</c>, <c>--on-error</c>).
/// </summary>
internal sealed class FleetArguments
{
    public FleetArguments(bool forUp)
    {
        ForUp = forUp;
    }

    public bool ForUp { get; }

    public Option<string?> Databases { get; } = new("--databases")
    {
        Description = "A fleet of databases: every database on the server of --database whose name matches this SQL LIKE pattern (such as 'tenant_%'), templates and databases that refuse connections left out.",
        HelpName = "pattern",
    };

    public Option<string?> Schemas { get; } = new("--schemas")
    {
        Description = "A fleet of schemas: every schema of the --database database whose name matches this SQL LIKE pattern; each keeps its history in its schema, and its scripts run with it first on the search path.",
        HelpName = "pattern",
    };

    public Option<string?> Targets { get; } = new("--targets")
    {
        Description = "A fleet from a file: one database a line, a postgres:// URL or an Npgsql connection string; blank lines and lines starting with # are ignored.",
        HelpName = "file",
    };

    public Option<int?> Parallel { get; } = new("--parallel")
    {
        Description = $"How many targets run at once. Default: the smaller of {FleetOptions.DefaultParallelism} and the number of targets.",
        HelpName = "n",
        CustomParser = r => Positive(r, "--parallel"),
    };

    public Option<int?> PerServer { get; } = new("--per-server")
    {
        Description = "How many targets of one server (host and port) run at once. Default: no limit beyond --parallel.",
        HelpName = "n",
        CustomParser = r => Positive(r, "--per-server"),
    };

    public Option<int?> Canary { get; } = new("--canary")
    {
        Description = "Run the first n targets alone first; the rest run only when all of them succeeded.",
        HelpName = "n",
        CustomParser = r => Positive(r, "--canary"),
    };

    public Option<FleetErrorPolicy?> OnError { get; } = new("--on-error")
    {
        Description = "After a target fails: stop (no new target starts; the running ones finish) or continue. Default: stop.",
        HelpName = "stop|continue",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            if (text.Equals("stop", StringComparison.OrdinalIgnoreCase))
            {
                return FleetErrorPolicy.Stop;
            }

            if (text.Equals("continue", StringComparison.OrdinalIgnoreCase))
            {
                return FleetErrorPolicy.Continue;
            }

            result.AddError($"--on-error must be stop or continue, not '{text}'.");
            return null;
        },
    };

    public void AddTo(Command command)
    {
        command.Add(Databases);
        command.Add(Schemas);
        command.Add(Targets);
        command.Add(Parallel);
        command.Add(PerServer);
        if (ForUp)
        {
            command.Add(Canary);
            command.Add(OnError);
        }
    }

    /// <summary>Whether the command line names a fleet; a usage error when it names several, or fleet settings without one.</summary>
    /// <exception cref="CliUsageException">The fleet options do not fit together.</exception>
    public bool IsFleet(ParseResult parse)
    {
        string[] selectors = [.. new (Option<string?> Option, string Name)[] { (Databases, "--databases"), (Schemas, "--schemas"), (Targets, "--targets") }
            .Where(s => parse.GetResult(s.Option) is not null)
            .Select(s => s.Name)];
        if (selectors.Length > 1)
        {
            throw new CliUsageException($"{string.Join(" and ", selectors)} each name a whole fleet; give one of them.");
        }

        if (selectors.Length == 1)
        {
            return true;
        }

        string? setting = new (Option Option, string Name)[] { (Parallel, "--parallel"), (PerServer, "--per-server"), (Canary, "--canary"), (OnError, "--on-error") }
            .Where(s => parse.GetResult(s.Option) is not null)
            .Select(s => s.Name)
            .FirstOrDefault();
        if (setting is not null)
        {
            throw new CliUsageException($"{setting} is for a fleet: add --databases PATTERN, --schemas PATTERN or --targets FILE.");
        }

        return false;
    }

    /// <summary>The fleet settings from the command line.</summary>
    public FleetOptions CreateOptions(ParseResult parse) => new()
    {
        Parallelism = parse.GetValue(Parallel),
        MaxPerServer = parse.GetValue(PerServer),
        Canary = ForUp ? parse.GetValue(Canary) ?? 0 : 0,
        OnError = ForUp ? parse.GetValue(OnError) ?? FleetErrorPolicy.Stop : FleetErrorPolicy.Stop,
    };

    /// <summary>Finds the targets the command line names, and says where they came from.</summary>
    /// <exception cref="CliUsageException">The database is missing or malformed, or a line of the targets file is.</exception>
    public async Task<(IReadOnlyList<FleetTarget> Targets, string From)> FindTargetsAsync(CommandContext context, CancellationToken cancellationToken)
    {
        ParseResult parse = context.Parse;
        if (parse.GetValue(Targets) is { } file)
        {
            try
            {
                return (await FleetTargets.ReadFileAsync(file, cancellationToken), $"the targets file {file}");
            }
            catch (FormatException ex)
            {
                throw new CliUsageException(ex.Message);
            }
            catch (FileNotFoundException ex)
            {
                throw new CliUsageException(ex.Message);
            }
        }

        Connection.DatabaseTarget database = context.RequireDatabase();
        if (parse.GetValue(Databases) is { } databases)
        {
            return (await FleetTargets.DiscoverDatabasesAsync(database.ConnectionString, databases, cancellationToken),
                $"the databases matching '{databases}' on {database.Host}:{database.Port.ToString(CultureInfo.InvariantCulture)}");
        }

        string schemas = parse.GetValue(Schemas)!;
        return (await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, schemas, cancellationToken),
            $"the schemas matching '{schemas}' in {database}");
    }

    private static int? Positive(ArgumentResult result, string name)
    {
        string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1)
        {
            return value;
        }

        result.AddError($"{name} takes a whole number of at least 1, not '{text}'.");
        return null;
    }
}
