using System.Diagnostics;
using System.Globalization;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Benchmarks;

/// <summary>
/// MigrationKit.Testing's throwaway databases: the time from the call to a migrated database that accepts
/// connections, cloned from the template (with the default spare made ahead in the background, and with none),
/// against creating an empty database and migrating it from scratch, for the Planner's ten migrations and for
/// 200 generated ones. The three alternate, so noise hits all of them.
/// </summary>
internal sealed class CloneBenchmark(PostgresServer server)
{
    private readonly List<CloneResult> _results = [];

    public IReadOnlyList<CloneResult> Results => _results;

    public async Task RunAsync(int clones)
    {
        var generated = new InMemoryMigrationSource();
        for (int i = 1; i <= 200; i++)
        {
            generated.Add(i, $"create_t{i}",
                $"CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), amount numeric(12,2));\nCREATE INDEX t{i}_name_idx ON t{i} (name);",
                $"DROP TABLE t{i};");
        }

        // The same cluster, through a second PostgresServer that keeps no spare: every clone made on the call.
        await using PostgresServer noSpare = await PostgresServer.StartAsync(
            new PostgresServerOptions { ConnectionString = server.ConnectionString, SpareDatabases = 0 });

        foreach ((string label, IMigrationSource source) in new (string, IMigrationSource)[]
        {
            ("the Planner's 10 migrations", new FileSystemMigrationSource(PlannerMigrations())),
            ("200 generated migrations", generated),
        })
        {
            BenchmarkRun.Progress($"throwaway databases: {label}");
            var result = new CloneResult(label);
            var build = Stopwatch.StartNew();
            await (await server.CreateDatabaseAsync(source)).DropAsync();
            result.TemplateBuild = build.Elapsed.TotalMilliseconds;
            await (await noSpare.CreateDatabaseAsync(source)).DropAsync();
            await ScratchAsync(source, result, timed: false);   // warm the from-scratch path too

            for (int i = 0; i < clones; i++)
            {
                await CloneAsync(server, source, result.Spare, timeDrop: i % 2 == 0 ? result.Drop : null);
                await CloneAsync(noSpare, source, result.NoSpare, timeDrop: null);
                if (i % 3 == 0)
                {
                    await ScratchAsync(source, result, timed: true);
                }
            }

            _results.Add(result);
        }
    }

    public void Report(Markdown md)
    {
        md.Heading("Throwaway databases (MigrationKit.Testing): a clone of the template against migrating from scratch");
        md.Paragraph("`CreateDatabaseAsync` returns a database that accepts connections, holding every migration. The template is built " +
            "once per set of migrations (first row); every later call clones it with `CREATE DATABASE … TEMPLATE`. By default " +
            "(`SpareDatabases = 1`) the server clones the next database in the background as soon as it hands one out, so a call " +
            "usually only takes the ready one; the rows *no spare* are `SpareDatabases = 0`, every clone made on the call. " +
            "*First connection* is the test's own first `OpenAsync` and `SELECT 1` on the new database: a PostgreSQL backend forked " +
            "and Npgsql's first use of a new connection string (it loads the database's types), whatever made the database. " +
            "Disposing queues the drop on a background connection and returns; the drop itself is timed with `DropAsync`, which waits for it.");
        var rows = new List<IReadOnlyList<string>>();
        foreach (CloneResult r in _results)
        {
            double scratchReady = r.ScratchReady.Median;
            double scratch = r.Scratch.Median;
            rows.Add([r.Label, "template build (once)", Markdown.Ms(r.TemplateBuild), "–", "–", "–", "–"]);
            rows.Add([r.Label, "**clone: call to returned**", Markdown.Ms(r.Spare.Create.Median), Markdown.Ms(r.Spare.Create.Min), Markdown.Ms(r.Spare.Create.Max), Markdown.Ratio(r.Spare.Create.Median / scratchReady), "–"]);
            rows.Add([r.Label, "clone: then first connection", Markdown.Ms(r.Spare.Connect.Median), Markdown.Ms(r.Spare.Connect.Min), Markdown.Ms(r.Spare.Connect.Max), "–", "–"]);
            rows.Add([r.Label, "clone: call to first query answered", Markdown.Ms(r.Spare.Total.Median), Markdown.Ms(r.Spare.Total.Min), Markdown.Ms(r.Spare.Total.Max), "–", Markdown.Ratio(r.Spare.Total.Median / scratch)]);
            rows.Add([r.Label, "clone, no spare: call to returned", Markdown.Ms(r.NoSpare.Create.Median), Markdown.Ms(r.NoSpare.Create.Min), Markdown.Ms(r.NoSpare.Create.Max), Markdown.Ratio(r.NoSpare.Create.Median / scratchReady), "–"]);
            rows.Add([r.Label, "clone, no spare: call to first query answered", Markdown.Ms(r.NoSpare.Total.Median), Markdown.Ms(r.NoSpare.Total.Min), Markdown.Ms(r.NoSpare.Total.Max), "–", Markdown.Ratio(r.NoSpare.Total.Median / scratch)]);
            rows.Add([r.Label, "from scratch: create empty + migrate, returned", Markdown.Ms(scratchReady), Markdown.Ms(r.ScratchReady.Min), Markdown.Ms(r.ScratchReady.Max), Markdown.Ratio(1), "–"]);
            rows.Add([r.Label, "from scratch: call to first query answered", Markdown.Ms(scratch), Markdown.Ms(r.Scratch.Min), Markdown.Ms(r.Scratch.Max), "–", Markdown.Ratio(1)]);
            rows.Add([r.Label, "dispose (drop queued)", Markdown.Ms(r.Spare.Dispose.Median), Markdown.Ms(r.Spare.Dispose.Min), Markdown.Ms(r.Spare.Dispose.Max), "–", "–"]);
            rows.Add([r.Label, "the drop itself (DropAsync)", Markdown.Ms(r.Drop.Median), Markdown.Ms(r.Drop.Min), Markdown.Ms(r.Drop.Max), "–", "–"]);
        }

        md.Table(["Migrations", "step", "median", "min", "max", "× scratch, returned", "× scratch, first query"], rows);
    }

    public IEnumerable<(string Goal, string Measured, bool Met)> Goals()
    {
        CloneResult? planner = _results.FirstOrDefault();
        if (planner is null)
        {
            yield break;
        }

        // Measured strictly: to the first query answered on the test's own new connection, which is what a test waits for.
        double ratio = planner.Spare.Total.Median / planner.Scratch.Median;
        yield return ("Planner schema: a migrated database in < 10% of the time of migrating from scratch",
            $"{Markdown.Ratio(ratio)} to the first query answered ({Markdown.Ratio(planner.NoSpare.Total.Median / planner.Scratch.Median)} with no spare)",
            ratio < 0.10);
        yield return ("Planner schema: median ≤ 25 ms from the call to a connectable database",
            $"{Markdown.Ms(planner.Spare.Total.Median)} ms to the first query answered, {Markdown.Ms(planner.Spare.Create.Median)} ms to the call's return ({Markdown.Ms(planner.NoSpare.Total.Median)} and {Markdown.Ms(planner.NoSpare.Create.Median)} ms with no spare)",
            planner.Spare.Total.Median <= 25);
    }

    private static async Task CloneAsync(PostgresServer from, IMigrationSource source, CloneSamples samples, Samples? timeDrop)
    {
        var watch = Stopwatch.StartNew();
        ThrowawayDatabase database = await from.CreateDatabaseAsync(source);
        double created = watch.Elapsed.TotalMilliseconds;
        await FirstQueryAsync(database.ConnectionString);

        double answered = watch.Elapsed.TotalMilliseconds;
        samples.Create.Add(created);
        samples.Connect.Add(answered - created);
        samples.Total.Add(answered);
        watch.Restart();
        if (timeDrop is null)
        {
            await database.DisposeAsync();
            samples.Dispose.Add(watch.Elapsed.TotalMilliseconds);
        }
        else
        {
            await database.DropAsync();
            timeDrop.Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    private async Task ScratchAsync(IMigrationSource source, CloneResult result, bool timed)
    {
        var watch = Stopwatch.StartNew();
        await using ThrowawayDatabase database = await server.CreateEmptyDatabaseAsync("mk_bench_");
        var options = new MigrationOptions { ConnectionString = database.ConnectionString };
        MigrationReport report = await new MigrationRunner(source, new PostgresMigrationStore(options), options).UpAsync();
        double ready = watch.Elapsed.TotalMilliseconds;
        await FirstQueryAsync(database.ConnectionString);

        double answered = watch.Elapsed.TotalMilliseconds;
        if (report.Executed.Count == 0)
        {
            throw new BenchmarkFailedException($"Migrating {result.Label} from scratch ran nothing.");
        }

        if (timed)
        {
            result.ScratchReady.Add(ready);
            result.Scratch.Add(answered);
        }
    }

    /// <summary>What a test does first: opens a connection to its database and runs a query.</summary>
    private static async Task FirstQueryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync();
    }

    internal static string PlannerMigrations()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "Planner", "Migrations");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new BenchmarkFailedException("samples/Planner/Migrations was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The clone scenario's timings for one set of migrations.</summary>
internal sealed class CloneResult(string label)
{
    public string Label { get; } = label;

    public double TemplateBuild { get; set; }

    public CloneSamples Spare { get; } = new();

    public CloneSamples NoSpare { get; } = new();

    public Samples Drop { get; } = new();

    public Samples ScratchReady { get; } = new();

    public Samples Scratch { get; } = new();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Label}: {Spare.Create.Median:F1} ms vs {ScratchReady.Median:F1} ms");
}

/// <summary>The steps of one way of getting a throwaway database.</summary>
internal sealed class CloneSamples
{
    public Samples Create { get; } = new();

    public Samples Connect { get; } = new();

    public Samples Total { get; } = new();

    public Samples Dispose { get; } = new();
}
