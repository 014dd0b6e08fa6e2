using System.Diagnostics;
using System.Globalization;
using MigrationKit.Fleet;
using MigrationKit.Postgres;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Benchmarks;

/// <summary>
/// Fleets: the Planner's 10 migrations onto N schema tenants of one database and onto M databases, by a fleet at
/// parallelism 1, 2, 4 and 8 against a serial loop of single runs in the same process (a new source, store and runner
/// per target, as a shell loop runs the tool, without its process start-ups); then a no-op up and status of the whole
/// fleet, and of a tenth of it, for the cost per target. Every variant starts from fresh targets and is checked.
/// </summary>
internal sealed class FleetBenchmark(PostgresServer server, string planner)
{
    private const string SchemaTemplate = "mk_bench_fleet_template";
    private const int Migrations = 10;
    private static readonly int[] Parallelisms = [1, 2, 4, 8];

    private readonly Dictionary<(string Kind, string Variant), Samples> _apply = [];
    private readonly Dictionary<(string Kind, string What, int Targets), Samples> _noOp = [];
    private int _schemas;
    private int _databases;

    public async Task RunAsync(int rounds, int schemas, int databases)
    {
        _schemas = schemas;
        _databases = databases;
        ThreadPool.GetMinThreads(out int workers, out int completions);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completions);
        await CreateSchemaTemplateAsync(schemas);
        try
        {
            // Warm-up: both paths compiled before anything is timed.
            await ApplySchemasAsync("warm-up", parallelism: 8, targets: 20, timed: false);
            await ApplySchemasAsync("warm-up", parallelism: null, targets: 20, timed: false);
            for (int round = 0; round < rounds; round++)
            {
                BenchmarkRun.Progress($"fleet: round {round + 1} of {rounds}");
                foreach (int? parallelism in Order(round))
                {
                    string variant = Variant(parallelism);
                    BenchmarkRun.Progress($"fleet: {schemas} schemas, {variant}");
                    await ApplySchemasAsync(variant, parallelism, schemas, timed: true);
                    BenchmarkRun.Progress($"fleet: {databases} databases, {variant}");
                    await ApplyDatabasesAsync(variant, parallelism, databases);
                }

                BenchmarkRun.Progress($"fleet: a tenth of the schemas ({schemas / 10}) at parallelism 4, for the cost per target");
                await ApplySchemasAsync("parallelism 4, a tenth", 4, schemas / 10, timed: true);
            }
        }
        finally
        {
            await ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS {SchemaTemplate} WITH (FORCE)");
        }
    }

    public void Report(Markdown md)
    {
        if (_apply.Count == 0)
        {
            return;
        }

        md.Heading($"Fleets: the Planner's {Migrations} migrations onto {_schemas} schema tenants and onto {_databases} databases");
        md.Paragraph(
            "A fleet (`FleetRunner.UpAsync`) at parallelism 1, 2, 4 and 8 against a serial loop of single runs in the same process: for each target " +
            "a new `FileSystemMigrationSource`, `PostgresMigrationStore` and `MigrationRunner`, then `UpAsync`, on a connection of its own (`Pooling=false`, " +
            "as the command line connects; Npgsql still loads each database's types once per process): what a shell loop over `migrationkit up` does, " +
            "without the process start-ups. Schema tenants run with the schema first on the search path " +
            "(`SetSearchPath`), as a fleet's schema targets do. Each variant starts from fresh targets (a clone of a database holding the empty schemas; " +
            "new empty databases) with Npgsql's pools cleared, and is checked: every target at version 10. The variants alternate in order round by round. " +
            "The machine has 2 cores, shared by the client and the server.");
        var rows = new List<IReadOnlyList<string>>();
        foreach ((string kind, int targets) in new[] { ("schemas", _schemas), ("databases", _databases) })
        {
            double serial = _apply[(kind, Variant(null))].Median;
            foreach (int? parallelism in new int?[] { null, 1, 2, 4, 8 })
            {
                Samples s = _apply[(kind, Variant(parallelism))];
                rows.Add([$"{targets} {kind}", Variant(parallelism), Markdown.Ms(s.Median), Markdown.Ms(s.Min), Markdown.Ms(s.Max),
                    Markdown.Number(s.Median / targets, "F1"), Markdown.Ratio(serial / s.Median)]);
            }
        }

        if (_apply.TryGetValue(("schemas", "parallelism 4, a tenth"), out Samples? tenth))
        {
            rows.Add([$"{_schemas / 10} schemas", "parallelism 4", Markdown.Ms(tenth.Median), Markdown.Ms(tenth.Min), Markdown.Ms(tenth.Max),
                Markdown.Number(tenth.Median / (_schemas / 10), "F1"), "–"]);
        }

        md.Table(["Targets", "run", "median ms", "min", "max", "ms/target", "× faster than the serial loop"], rows);

        md.Paragraph(
            "No-op: every target already at version 10. `up` and `status` of the whole fleet (default parallelism, 8) and of a tenth of it, and the serial " +
            "loop's no-op up for reference. A no-op target costs one history read on a pooled connection; the targets of one database share its connections.");
        var noOps = new List<IReadOnlyList<string>>();
        foreach (((string kind, string what, int targets), Samples s) in _noOp.OrderBy(e => e.Key.Kind).ThenBy(e => e.Key.What).ThenBy(e => e.Key.Targets))
        {
            noOps.Add([$"{targets} {kind}", what, Markdown.Ms(s.Median), Markdown.Ms(s.Min), Markdown.Ms(s.Max), Markdown.Number(s.Median * 1000 / targets, "F0")]);
        }

        md.Table(["Targets", "run", "median ms", "min", "max", "µs/target"], noOps);
    }

    public IEnumerable<(string Goal, string Measured, bool Met)> Goals()
    {
        if (_apply.Count == 0)
        {
            yield break;
        }

        foreach ((string kind, int targets) in new[] { ("schemas", _schemas), ("databases", _databases) })
        {
            double ratio = _apply[(kind, Variant(null))].Median / _apply[(kind, Variant(4))].Median;
            yield return ($"{targets} {kind} × {Migrations} migrations: parallelism 4 at least 1.5× faster than the serial loop", Markdown.Ratio(ratio), ratio >= 1.5);
        }

        double noOp = _noOp[("schemas", "fleet up", _schemas)].Median;
        yield return ($"no-op fleet up over {_schemas} schema targets under 2 s", $"{Markdown.Ms(noOp)} ms", noOp < 2000);

        foreach (string what in new[] { "fleet up", "fleet status" })
        {
            double few = _noOp[("schemas", what, _schemas / 10)].Median / (_schemas / 10);
            double many = _noOp[("schemas", what, _schemas)].Median / _schemas;
            yield return ($"no-op {what}: cost per target flat from {_schemas / 10} to {_schemas} targets (within 1.25×)",
                $"{Markdown.Number(few * 1000, "F0")} → {Markdown.Number(many * 1000, "F0")} µs/target", many <= few * 1.25);
        }

        if (_apply.TryGetValue(("schemas", "parallelism 4, a tenth"), out Samples? tenth))
        {
            double few = tenth.Median / (_schemas / 10);
            double many = _apply[("schemas", Variant(4))].Median / _schemas;
            yield return ($"apply at parallelism 4: cost per target flat from {_schemas / 10} to {_schemas} schema targets (within 1.25×)",
                $"{Markdown.Number(few, "F1")} → {Markdown.Number(many, "F1")} ms/target", many <= few * 1.25);
        }
    }

    private static string Variant(int? parallelism) => parallelism is { } p ? $"fleet, parallelism {p}" : "serial loop of single runs";

    private static IEnumerable<int?> Order(int round)
    {
        int?[] all = [null, .. Parallelisms.Select(p => (int?)p)];
        return all.Skip(round % all.Length).Concat(all.Take(round % all.Length));
    }

    /// <summary>The Planner onto <paramref name="targets"/> schemas of a fresh clone; when timed, the no-ops too.</summary>
    private async Task ApplySchemasAsync(string variant, int? parallelism, int targets, bool timed)
    {
        string name = "mk_bench_fleet_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {name} TEMPLATE {SchemaTemplate}");
        try
        {
            string cs = server.GetConnectionString(name);
            FleetTarget[] fleet = [.. Enumerable.Range(1, targets).Select(i => new FleetTarget(cs, Tenant(i)))];
            NpgsqlConnection.ClearAllPools();
            double ms = await ApplyAsync(fleet, parallelism, (target, options) =>
            {
                options.ConnectionString = cs;
                options.Schema = target.Schema!;
                options.SetSearchPath = true;
            });
            long applied = await ScalarAsync(cs, "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname LIKE 'tenant\\_%'");
            long seeded = await ScalarAsync(cs, $"SELECT count(*) FROM {Tenant(targets)}.steps");
            if (applied != targets || seeded != 6)
            {
                throw new BenchmarkFailedException($"{variant}: {applied} of {targets} schemas have a history, the last holds {seeded} steps.");
            }

            if (!timed)
            {
                return;
            }

            _apply.GetOrAdd(("schemas", variant)).Add(ms);
            if (parallelism is 8 && targets == _schemas)
            {
                await NoOpsAsync("schemas", fleet);
            }
        }
        finally
        {
            await ExecuteAsync(server.ConnectionString, $"DROP DATABASE {name} WITH (FORCE)");
        }
    }

    private async Task ApplyDatabasesAsync(string variant, int? parallelism, int count)
    {
        string prefix = "mk_bench_fdb_" + Guid.NewGuid().ToString("N")[..8] + "_";
        string[] names = [.. Enumerable.Range(1, count).Select(i => prefix + i.ToString("D4", CultureInfo.InvariantCulture))];
        await ForEachAsync(names, name => ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {name} TEMPLATE template0"));
        try
        {
            FleetTarget[] fleet = [.. names.Select(name => new FleetTarget(server.GetConnectionString(name)))];
            NpgsqlConnection.ClearAllPools();
            double ms = await ApplyAsync(fleet, parallelism, (target, options) => options.ConnectionString = target.ConnectionString);
            foreach (string name in new[] { names[0], names[^1] })
            {
                if (await ScalarAsync(server.GetConnectionString(name), "SELECT count(*) FROM schema_migrations") != Migrations)
                {
                    throw new BenchmarkFailedException($"{variant}: database {name} is not at version 10.");
                }
            }

            _apply.GetOrAdd(("databases", variant)).Add(ms);
            if (parallelism is 8)
            {
                await NoOpsAsync("databases", fleet);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ForEachAsync(names, name => ExecuteAsync(server.ConnectionString, $"DROP DATABASE {name} WITH (FORCE)"));
        }
    }

    /// <summary>Applies the Planner to every target, by a fleet or by the serial loop; returns the milliseconds.</summary>
    private async Task<double> ApplyAsync(FleetTarget[] targets, int? parallelism, Action<FleetTarget, MigrationOptions> configure)
    {
        long started = Stopwatch.GetTimestamp();
        if (parallelism is { } p)
        {
            FleetReport report = await new FleetRunner(new FileSystemMigrationSource(planner), new MigrationOptions(), new FleetOptions { Parallelism = p }).UpAsync(targets);
            if (!report.Succeeded || report.Summary.MigrationsApplied != targets.Length * Migrations)
            {
                throw new BenchmarkFailedException($"The fleet did not apply everything: {report.Targets.FirstOrDefault(t => !t.Succeeded)?.Failure?.Message}");
            }
        }
        else
        {
            foreach (FleetTarget target in targets)
            {
                var options = new MigrationOptions();
                configure(target, options);
                options.ConnectionString = Unpooled(options.ConnectionString!);
                var runner = new MigrationRunner(new FileSystemMigrationSource(planner), new PostgresMigrationStore(options), options);
                if ((await runner.UpAsync()).Executed.Count != Migrations)
                {
                    throw new BenchmarkFailedException($"The serial loop did not apply {target}.");
                }
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>No-op up and status of the whole fleet and of a tenth of it; the serial loop's no-op up of the whole.</summary>
    private async Task NoOpsAsync(string kind, FleetTarget[] fleet)
    {
        var source = new FileSystemMigrationSource(planner);
        foreach (FleetTarget[] targets in new[] { fleet[..(fleet.Length / 10)], fleet })
        {
            for (int i = 0; i < 3; i++)
            {
                NpgsqlConnection.ClearAllPools();
                _noOp.GetOrAdd((kind, "fleet up", targets.Length)).Add(await TimeAsync(async () =>
                {
                    FleetReport report = await new FleetRunner(source, new MigrationOptions()).UpAsync(targets);
                    if (report.Summary.UpToDate != targets.Length)
                    {
                        throw new BenchmarkFailedException($"A no-op fleet up found {report.Summary.UpToDate} of {targets.Length} up to date.");
                    }
                }));
                NpgsqlConnection.ClearAllPools();
                _noOp.GetOrAdd((kind, "fleet status", targets.Length)).Add(await TimeAsync(async () =>
                {
                    FleetStatus status = await new FleetRunner(source, new MigrationOptions()).GetStatusAsync(targets);
                    if (status.Targets.Any(t => t.State != FleetTargetState.UpToDate))
                    {
                        throw new BenchmarkFailedException("A fleet status found a target that is not up to date.");
                    }
                }));
            }
        }

        NpgsqlConnection.ClearAllPools();
        _noOp.GetOrAdd((kind, "serial loop up", fleet.Length)).Add(await TimeAsync(async () =>
        {
            foreach (FleetTarget target in fleet)
            {
                var options = new MigrationOptions { ConnectionString = Unpooled(target.ConnectionString) };
                if (target.Schema is { } schema)
                {
                    options.Schema = schema;
                    options.SetSearchPath = true;
                }

                await new MigrationRunner(new FileSystemMigrationSource(planner), new PostgresMigrationStore(options), options).UpAsync();
            }
        }));
    }

    private async Task CreateSchemaTemplateAsync(int schemas)
    {
        await ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS {SchemaTemplate} WITH (FORCE)");
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {SchemaTemplate} TEMPLATE template0");
        await ExecuteAsync(server.GetConnectionString(SchemaTemplate), string.Concat(Enumerable.Range(1, schemas).Select(i => $"CREATE SCHEMA {Tenant(i)};\n")));
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>As the command line connects for one run (and a shell loop of it does): a connection of its own, not pooled.</summary>
    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static string Tenant(int i) => "tenant_" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static async Task<double> TimeAsync(Func<Task> operation)
    {
        long started = Stopwatch.GetTimestamp();
        await operation();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task ForEachAsync(IEnumerable<string> names, Func<string, Task> action) =>
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (name, _) => await action(name));

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static Task<long> ScalarAsync(string connectionString, string sql) => Checks.ScalarAsync(connectionString, sql);
}

/// <summary>Adds a sample list on first use.</summary>
internal static class SamplesDictionary
{
    public static Samples GetOrAdd<TKey>(this Dictionary<TKey, Samples> samples, TKey key)
        where TKey : notnull
    {
        if (!samples.TryGetValue(key, out Samples? found))
        {
            found = new Samples();
            samples.Add(key, found);
        }

        return found;
    }
}
