using System.Diagnostics;
using System.Globalization;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Benchmarks;

/// <summary>
/// MigrationKit.Testing's throwaway databases: the time from the call to a connectable, migrated database when it
/// is cloned from the template, against creating an empty database and migrating it from scratch, for the
/// Planner's ten migrations and for 200 generated ones. Clone and scratch alternate, so noise hits both.
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

        foreach ((string label, IMigrationSource source) in new (string, IMigrationSource)[]
        {
            ("the Planner's 10 migrations", new FileSystemMigrationSource(PlannerMigrations())),
            ("200 generated migrations", generated),
        })
        {
            BenchmarkRun.Progress($"throwaway databases: {label}");
            var result = new CloneResult(label);
            var build = Stopwatch.StartNew();
            await (await server.CreateDatabaseAsync(source)).DisposeAsync();
            result.TemplateBuild = build.Elapsed.TotalMilliseconds;
            await ScratchAsync(source, result);   // warm the from-scratch path too

            for (int i = 0; i < clones; i++)
            {
                await CloneAsync(source, result);
                if (i % 3 == 0)
                {
                    result.Scratch.Add(await ScratchAsync(source, result));
                }
            }

            _results.Add(result);
        }
    }

    public void Report(Markdown md)
    {
        md.Heading("Throwaway databases (MigrationKit.Testing): a clone of the template against migrating from scratch");
        md.Paragraph("From the call to a database that has answered `SELECT 1` on a new connection. The template is built once " +
            "per set of migrations (first row); every later call clones it with `CREATE DATABASE … TEMPLATE`. Dropping is timed apart: " +
            "it happens when the test disposes the database, after the test's own work.");
        var rows = new List<IReadOnlyList<string>>();
        foreach (CloneResult r in _results)
        {
            rows.Add([r.Label, "template build (once)", Markdown.Ms(r.TemplateBuild), "–", "–", "–"]);
            rows.Add([r.Label, "clone: create", Markdown.Ms(r.Create.Median), Markdown.Ms(r.Create.Min), Markdown.Ms(r.Create.Max), "–"]);
            rows.Add([r.Label, "clone: first connection", Markdown.Ms(r.Connect.Median), Markdown.Ms(r.Connect.Min), Markdown.Ms(r.Connect.Max), "–"]);
            rows.Add([r.Label, "**clone: call to connectable**", Markdown.Ms(r.Clone.Median), Markdown.Ms(r.Clone.Min), Markdown.Ms(r.Clone.Max), Markdown.Ratio(r.Ratio)]);
            rows.Add([r.Label, "from scratch: create empty + migrate + connect", Markdown.Ms(r.Scratch.Median), Markdown.Ms(r.Scratch.Min), Markdown.Ms(r.Scratch.Max), Markdown.Ratio(1)]);
            rows.Add([r.Label, "drop (on dispose)", Markdown.Ms(r.Drop.Median), Markdown.Ms(r.Drop.Min), Markdown.Ms(r.Drop.Max), "–"]);
        }

        md.Table(["Migrations", "step", "median", "min", "max", "× from scratch"], rows);
    }

    public IEnumerable<(string Goal, string Measured, bool Met)> Goals()
    {
        CloneResult? planner = _results.FirstOrDefault();
        if (planner is null)
        {
            yield break;
        }

        yield return ("Planner schema: a clone in < 10% of the time of migrating from scratch", Markdown.Ratio(planner.Ratio), planner.Ratio < 0.10);
        yield return ("Planner schema: median ≤ 25 ms from the call to a connectable database", Markdown.Ms(planner.Clone.Median) + " ms", planner.Clone.Median <= 25);
    }

    private async Task CloneAsync(IMigrationSource source, CloneResult result)
    {
        var watch = Stopwatch.StartNew();
        ThrowawayDatabase database = await server.CreateDatabaseAsync(source);
        double created = watch.Elapsed.TotalMilliseconds;
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
        }

        double connectable = watch.Elapsed.TotalMilliseconds;
        result.Create.Add(created);
        result.Connect.Add(connectable - created);
        result.Clone.Add(connectable);
        watch.Restart();
        await database.DisposeAsync();
        result.Drop.Add(watch.Elapsed.TotalMilliseconds);
    }

    private async Task<double> ScratchAsync(IMigrationSource source, CloneResult result)
    {
        var watch = Stopwatch.StartNew();
        await using ThrowawayDatabase database = await server.CreateEmptyDatabaseAsync("mk_bench_");
        var options = new MigrationOptions { ConnectionString = database.ConnectionString };
        MigrationReport report = await new MigrationRunner(source, new PostgresMigrationStore(options), options).UpAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
        }

        double elapsed = watch.Elapsed.TotalMilliseconds;
        if (report.Executed.Count == 0)
        {
            throw new BenchmarkFailedException($"Migrating {result.Label} from scratch ran nothing.");
        }

        return elapsed;
    }

    private static string PlannerMigrations()
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

    public Samples Create { get; } = new();

    public Samples Connect { get; } = new();

    public Samples Clone { get; } = new();

    public Samples Drop { get; } = new();

    public Samples Scratch { get; } = new();

    public double Ratio => Clone.Median / Scratch.Median;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Label}: {Clone.Median:F1} ms vs {Scratch.Median:F1} ms");
}
