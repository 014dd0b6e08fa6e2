using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MigrationKit.Benchmarks.Tools;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Benchmarks;

/// <summary>
/// The whole run: starts a PostgreSQL the way the test suite does, generates the migrations, runs every scenario
/// with the tools alternating round by round, checks the results, and writes the report.
/// </summary>
internal sealed class BenchmarkRun
{
    private static readonly BenchTool[] Tools = [new MigrationKitTool(), new FloorTool(), new DbUpTool(), new EvolveTool()];

    private readonly Arguments _arguments;
    private readonly PostgresServer _server;
    private readonly string _root;
    private readonly Dictionary<string, Samples> _cold = [];
    private readonly Dictionary<string, Samples> _noOp = [];
    private readonly Dictionary<string, Samples> _fresh = [];
    private readonly Dictionary<string, Samples> _freshCpu = [];
    private readonly Dictionary<string, Samples> _down = [];
    private readonly Samples _oneRunner = new();
    private readonly Samples _manyRunners = new();
    private readonly Samples _applierDone = new();
    private readonly List<ScaleResult> _scale = [];
    private readonly List<MemoryResult> _memory = [];
    private readonly CloneBenchmark _clones;
    private readonly LockModeBenchmark _locks;
    private long _seedBytes;

    private BenchmarkRun(Arguments arguments, PostgresServer server, string root)
    {
        _arguments = arguments;
        _server = server;
        _root = root;
        _clones = new CloneBenchmark(server);
        _locks = new LockModeBenchmark(server);
        foreach (BenchTool tool in Tools)
        {
            _cold[tool.Name] = new Samples();
            _noOp[tool.Name] = new Samples();
            _fresh[tool.Name] = new Samples();
            _freshCpu[tool.Name] = new Samples();
            _down[tool.Name] = new Samples();
        }
    }

    public static async Task<int> RunAsync(Arguments arguments)
    {
        Progress("starting PostgreSQL (MigrationKit.Testing's PostgresServer)");
        await using PostgresServer server = await PostgresServer.StartAsync();
        string root = Path.Combine(Path.GetTempPath(), "migrationkit-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        try
        {
            var run = new BenchmarkRun(arguments, server, root);
            string report = await run.RunScenariosAsync();
            Console.WriteLine(report);
            string output = arguments.Output ?? DefaultOutput();
            await File.WriteAllTextAsync(output, report);
            Progress($"written to {output}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<string> RunScenariosAsync()
    {
        int n = _arguments.N;
        Progress($"generating {n} migrations");
        var folders = MigrationFolders.Create(Path.Combine(_root, "main"), n);
        Workload workload = Workload.Of(folders);

        await WarmUpAsync(workload);
        for (int round = 0; round < _arguments.Rounds; round++)
        {
            Progress($"round {round + 1} of {_arguments.Rounds}");
            if (Runs("tools"))
            {
                for (int i = 0; i < Tools.Length; i++)
                {
                    await RunToolAsync(Tools[(i + round) % Tools.Length], workload);
                }
            }

            if (Runs("replicas"))
            {
                await ReplicasAsync(workload, manyFirst: round % 2 == 1);
            }
        }

        if (Runs("locks"))
        {
            await _locks.RunAsync(workload, _arguments.Rounds, _arguments.NoOpStarts);
        }

        if (Runs("scale"))
        {
            foreach (int size in _arguments.ScaleSizes)
            {
                await ScaleAsync(size);
            }
        }

        if (Runs("memory") && _arguments.SeedMegabytes > 0)
        {
            await MemoryAsync();
        }

        if (Runs("clones"))
        {
            await _clones.RunAsync(_arguments.Rounds * 6);
        }

        return await ReportAsync();
    }

    /// <summary>Every tool once, untimed, so that what follows measures compiled code.</summary>
    private async Task WarmUpAsync(Workload workload)
    {
        Progress("warming up");
        foreach (BenchTool tool in Tools)
        {
            await using ThrowawayDatabase database = await _server.CreateEmptyDatabaseAsync("mk_bench_");
            await tool.ApplyAsync(database.ConnectionString, workload, workload.Count);
            await tool.StartAsync(database.ConnectionString, workload);
            if (tool.CanDown)
            {
                await tool.DownAllAsync(database.ConnectionString, workload);
            }
        }

        await using ThrowawayDatabase status = await _server.CreateEmptyDatabaseAsync("mk_bench_");
        await new MigrationKitTool().ApplyAsync(status.ConnectionString, workload, workload.Count);
        await MigrationKitTool.StatusAsync(status.ConnectionString, workload);
    }

    /// <summary>One tool, one round: cold apply, no-op starts in this process and in fresh processes, down all.</summary>
    private async Task RunToolAsync(BenchTool tool, Workload workload)
    {
        await using ThrowawayDatabase database = await _server.CreateEmptyDatabaseAsync("mk_bench_");
        string cs = database.ConnectionString;

        _cold[tool.Name].Add(await Timing.ColdConnectionAsync(() => tool.ApplyAsync(cs, workload, workload.Count)));
        await Checks.ExpectBenchTablesAsync(cs, workload.Count, $"{tool.Name}'s cold apply");

        for (int i = 0; i < _arguments.NoOpStarts; i++)
        {
            _noOp[tool.Name].Add(await Timing.ColdConnectionAsync(() => tool.StartAsync(cs, workload)));
        }

        for (int i = 0; i < _arguments.FreshStarts; i++)
        {
            (double ms, string output) = await ChildProcess.RunAsync(cs, [
                "--child", tool.Name,
                "--dir", workload.GolangMigrateFolder,
                "--flyway", workload.FlywayFolder,
                "--count", workload.Count.ToString(CultureInfo.InvariantCulture)]);
            _fresh[tool.Name].Add(ms);
            _freshCpu[tool.Name].Add(double.Parse(output.Trim(), CultureInfo.InvariantCulture));
        }

        if (tool.CanDown)
        {
            _down[tool.Name].Add(await Timing.ColdConnectionAsync(() => tool.DownAllAsync(cs, workload)));
            await Checks.ExpectBenchTablesAsync(cs, 0, $"{tool.Name}'s down");
        }
    }

    /// <summary>One runner on an empty database, and M runners started at once on another; every migration once.</summary>
    private async Task ReplicasAsync(Workload workload, bool manyFirst)
    {
        // The runners share this process, where replicas would each have their own: enough pool threads that one
        // runner's synchronous file reads never hold back another's network continuations.
        ThreadPool.GetMinThreads(out int workers, out int completions);
        ThreadPool.SetMinThreads(Math.Max(workers, 2 * _arguments.Replicas), completions);

        foreach (bool many in manyFirst ? new[] { true, false } : [false, true])
        {
            await using ThrowawayDatabase database = await _server.CreateEmptyDatabaseAsync("mk_bench_");
            string cs = database.ConnectionString;
            int runners = many ? _arguments.Replicas : 1;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            long started = 0;
            Task<(MigrationReport Report, double DoneMs)>[] tasks = [.. Enumerable.Range(0, runners).Select(_ => Task.Run(async () =>
            {
                await gate.Task;
                MigrationReport report = await MigrationKitTool.CreateRunner(cs, workload.GolangMigrateFolder).UpAsync();
                return (report, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }))];

            NpgsqlConnection.ClearAllPools();
            started = Stopwatch.GetTimestamp();
            gate.SetResult();
            (MigrationReport Report, double DoneMs)[] results = await Task.WhenAll(tasks);
            double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            MigrationReport[] reports = [.. results.Select(r => r.Report)];
            (many ? _manyRunners : _oneRunner).Add(elapsed);
            if (many)
            {
                // When the runner that applied the migrations finished: the rest is the other runners' wait and check.
                _applierDone.Add(results.Where(r => r.Report.Executed.Count > 0).Max(r => r.DoneMs));
            }

            // Every migration exactly once: applied once in all, recorded once, its table there.
            var versions = reports.SelectMany(r => r.Executed).Select(e => e.Version).ToList();
            if (versions.Count != workload.Count || versions.Distinct().Count() != workload.Count)
            {
                throw new BenchmarkFailedException(
                    $"{runners} runners applied {versions.Count} migrations ({versions.Distinct().Count()} distinct) where each of {workload.Count} should run once.");
            }

            long rows = await Checks.ScalarAsync(cs, "SELECT count(DISTINCT version) FROM public.schema_migrations WHERE NOT dirty");
            if (rows != workload.Count)
            {
                throw new BenchmarkFailedException($"After {runners} runners, the history holds {rows} versions where {workload.Count} were expected.");
            }

            await Checks.ExpectBenchTablesAsync(cs, workload.Count, $"{runners} runners");
        }
    }

    /// <summary>No-op start and status with a history of <paramref name="size"/> applied migrations.</summary>
    private async Task ScaleAsync(int size)
    {
        Progress($"scale: {size} migrations");
        var folders = MigrationFolders.Create(Path.Combine(_root, "scale-" + size.ToString(CultureInfo.InvariantCulture)), size);
        Workload workload = Workload.Of(folders);
        await using ThrowawayDatabase database = await _server.CreateEmptyDatabaseAsync("mk_bench_");
        string cs = database.ConnectionString;

        var result = new ScaleResult(size);
        var migrationKit = new MigrationKitTool();
        result.Apply.Add(await Timing.ColdConnectionAsync(() => migrationKit.ApplyAsync(cs, workload, size)));
        await Checks.ExpectBenchTablesAsync(cs, size, $"the cold apply of {size}");

        // The floor's history, for its no-op start: the same number of rows.
        await Checks.ScalarAsync(cs, $"""
            CREATE TABLE floor_history (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO floor_history (version) SELECT generate_series(1, {size});
            SELECT count(*) FROM floor_history
            """);

        var floor = new FloorTool();
        int iterations = _arguments.NoOpStarts;
        for (int round = 0; round < _arguments.Rounds; round++)
        {
            for (int i = 0; i < iterations; i++)
            {
                result.NoOp.Add(await Timing.ColdConnectionAsync(() => migrationKit.StartAsync(cs, workload)));
                result.Status.Add(await Timing.ColdConnectionAsync(() => MigrationKitTool.StatusAsync(cs, workload)));
                result.FloorNoOp.Add(await Timing.ColdConnectionAsync(() => floor.StartAsync(cs, workload)));
            }
        }

        _scale.Add(result);
        Directory.Delete(folders.Root, recursive: true);
    }

    /// <summary>The seed-data migration in a child process, with the workstation and the server garbage collector.</summary>
    private async Task MemoryAsync()
    {
        Progress($"memory: a {_arguments.SeedMegabytes} MB seed migration");
        string folder = Path.Combine(_root, "seed");
        (long bytes, long rows) = MigrationFolders.CreateSeedFolder(folder, _arguments.SeedMegabytes);
        _seedBytes = bytes;
        foreach ((string gc, string serverGc) in new[] { ("workstation (console default)", "0"), ("server (ASP.NET Core default)", "1") })
        {
            await using ThrowawayDatabase database = await _server.CreateEmptyDatabaseAsync("mk_bench_");
            (_, string output) = await ChildProcess.RunAsync(
                database.ConnectionString,
                ["--child", ChildMode.MemoryTool, "--dir", folder],
                new Dictionary<string, string> { ["DOTNET_gcServer"] = serverGc });
            long[] values = [.. output.Trim().Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture))];
            long inserted = await Checks.ScalarAsync(database.ConnectionString, "SELECT count(*) FROM seed_rows");
            if (inserted != rows)
            {
                throw new BenchmarkFailedException($"The seed migration inserted {inserted} rows where {rows} were expected.");
            }

            _memory.Add(new MemoryResult(gc, values[0], values[1], values[2]));
        }
    }

    private async Task<string> ReportAsync()
    {
        var md = new Markdown();
        int n = _arguments.N;
        md.Paragraph("# MigrationKit benchmarks");
        md.Paragraph($"Generated by `dotnet run -c Release --project tests/MigrationKit.Benchmarks --{(string.IsNullOrEmpty(_arguments.CommandLine) ? string.Empty : " " + _arguments.CommandLine)}` " +
            $"on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        md.Table(["Machine", ""], await MachineAsync());
        md.Paragraph(
            $"{n} generated migrations (each a table with an identity primary key, four columns and an index; the down script drops it), " +
            $"{_arguments.Rounds} rounds, the tools in a different order each round. Median, min and max in milliseconds over all samples. " +
            "Every timed operation starts with Npgsql's pools cleared, so it opens a new physical connection as a start-up does; " +
            "the in-process timings are of a warm process (code compiled by an untimed warm-up). " +
            "The floor is plain Npgsql on one connection: `BEGIN; script; INSERT INTO floor_history; COMMIT` as one command per migration, " +
            "and, for a start-up, a connection opened and one SELECT of the history. " +
            "DbUp 7.0.1 runs with `WithTransactionPerScript()` (its journal row in the script's transaction); Evolve 3.2.0 with its defaults " +
            "(a transaction per script, its cluster lock) from a copy of the folder with Flyway names.");

        if (Runs("tools"))
        {
            md.Heading($"Cold apply: {n} migrations onto an empty database");
            ToolTable(md, _cold, Tools);
            md.Heading($"No-op start: Up with all {n} applied, a new runner and a new connection each time ({_arguments.NoOpStarts} per tool and round)");
            ToolTable(md, _noOp, Tools);
            if (_arguments.FreshStarts > 0)
            {
                md.Heading($"No-op start in a fresh process: process start to exit ({_arguments.FreshStarts} per tool and round)");
                md.Paragraph("The benchmark re-invokes itself (`--child TOOL`): the runtime starts, the tool's assemblies load and compile, it connects, finds nothing to do, and the process exits.");
                ToolTable(md, _fresh, Tools);
                md.Paragraph("The CPU time the same processes used (user and system, as each reported it just before exiting), which other load on the machine disturbs less than wall time:");
                ToolTable(md, _freshCpu, Tools);
            }

            md.Heading($"Down all: {n} migrations reverted (the tools that have down scripts)");
            ToolTable(md, _down, [.. Tools.Where(t => t.CanDown)]);
        }

        if (Runs("replicas"))
        {
            ReplicaTable(md, n);
        }

        if (_locks.HasResults)
        {
            _locks.Report(md);
        }

        if (_scale.Count > 0)
        {
            ScaleTable(md);
        }

        if (_memory.Count > 0)
        {
            MemoryTable(md);
        }

        if (_clones.Results.Count > 0)
        {
            _clones.Report(md);
        }

        md.Heading("Goals");
        md.Table(["Goal", "measured", ""], Goals());
        return md.ToString();
    }

    private void ReplicaTable(Markdown md, int n)
    {
        md.Heading($"Replicas: {_arguments.Replicas} MigrationKit runners started at once on an empty database");
        md.Paragraph($"Checked every round: the {_arguments.Replicas} reports together applied each of the {n} migrations exactly once, the history holds {n} clean rows and every table exists.");
        md.Table(["Runners", "median", "min", "max", "× one runner"], [
            ["1", Markdown.Ms(_oneRunner.Median), Markdown.Ms(_oneRunner.Min), Markdown.Ms(_oneRunner.Max), Markdown.Ratio(1)],
            [$"{_arguments.Replicas}: the one that applied them done", Markdown.Ms(_applierDone.Median), Markdown.Ms(_applierDone.Min), Markdown.Ms(_applierDone.Max),
                Markdown.Ratio(_applierDone.Median / _oneRunner.Median)],
            [$"{_arguments.Replicas}: all done", Markdown.Ms(_manyRunners.Median), Markdown.Ms(_manyRunners.Min), Markdown.Ms(_manyRunners.Max),
                Markdown.Ratio(_manyRunners.Median / _oneRunner.Median)],
        ]);
    }

    private void ScaleTable(Markdown md)
    {
        md.Heading("Scale: no-op start and status against the size of the history (MigrationKit; the floor's no-op for reference)");
        md.Paragraph("µs/migration is the median divided by the number of migrations; the marginal cost is the increase from the previous size divided by the migrations added.");
        var rows = new List<IReadOnlyList<string>>();
        foreach ((string what, Func<ScaleResult, Samples> pick) in new (string, Func<ScaleResult, Samples>)[]
        {
            ("cold apply (once)", r => r.Apply), ("no-op start", r => r.NoOp), ("status", r => r.Status), ("floor no-op start", r => r.FloorNoOp),
        })
        {
            ScaleResult? previous = null;
            foreach (ScaleResult result in _scale)
            {
                Samples samples = pick(result);
                string marginal = previous is null ? "–" : Markdown.Number(
                    (samples.Median - pick(previous).Median) * 1000 / (result.Size - previous.Size), "F1");
                rows.Add([what, result.Size.ToString(CultureInfo.InvariantCulture), Markdown.Ms(samples.Median), Markdown.Ms(samples.Min), Markdown.Ms(samples.Max),
                    Markdown.Number(samples.Median * 1000 / result.Size, "F1"), marginal]);
                previous = result;
            }
        }

        md.Table(["Operation", "migrations", "median", "min", "max", "µs/migration", "marginal µs/migration"], rows);
    }

    private void MemoryTable(Markdown md)
    {
        md.Heading($"Memory: a {Markdown.Mb(_seedBytes)} MB seed-data migration (single-row INSERTs) applied in a child process");
        md.Paragraph("Peak working set is VmHWM from /proc/self/status; the baseline is VmHWM of the same process just before Up.");
        md.Table(["Garbage collector", "baseline MB", "peak MB", "peak − baseline MB", "(peak − baseline) / file", "peak / file", "apply ms"],
            _memory.Select(m => (IReadOnlyList<string>)[m.Collector, Markdown.Mb(m.Baseline), Markdown.Mb(m.Peak), Markdown.Mb(m.Peak - m.Baseline),
                Markdown.Ratio((m.Peak - m.Baseline) / (double)_seedBytes), Markdown.Ratio(m.Peak / (double)_seedBytes), Markdown.Ms(m.Milliseconds)]));
    }

    private List<IReadOnlyList<string>> Goals()
    {
        const string mk = MigrationKitTool.ToolName;
        var goals = new List<IReadOnlyList<string>>();
        void Goal(string goal, string measured, bool met) => goals.Add([goal, measured, met ? "met" : "**missed**"]);
        double Ratio(Dictionary<string, Samples> scenario, string tool) => scenario[mk].Median / scenario[tool].Median;

        if (Runs("tools"))
        {
            Goal("cold apply ≤ 1.05× the floor", Markdown.Ratio(Ratio(_cold, FloorTool.ToolName)), Ratio(_cold, FloorTool.ToolName) <= 1.05);
            Goal("cold apply no slower than DbUp and Evolve",
                $"{Markdown.Ratio(Ratio(_cold, DbUpTool.ToolName))} DbUp, {Markdown.Ratio(Ratio(_cold, EvolveTool.ToolName))} Evolve",
                Ratio(_cold, DbUpTool.ToolName) <= 1 && Ratio(_cold, EvolveTool.ToolName) <= 1);
            Goal("no-op start ≤ 1.2× the floor", Markdown.Ratio(Ratio(_noOp, FloorTool.ToolName)), Ratio(_noOp, FloorTool.ToolName) <= 1.2);
            Goal("no-op start faster than DbUp and Evolve",
                $"{Markdown.Ratio(Ratio(_noOp, DbUpTool.ToolName))} DbUp, {Markdown.Ratio(Ratio(_noOp, EvolveTool.ToolName))} Evolve",
                Ratio(_noOp, DbUpTool.ToolName) < 1 && Ratio(_noOp, EvolveTool.ToolName) < 1);
            if (_arguments.FreshStarts > 0)
            {
                Goal("fresh-process no-op start ≤ 1.1× the floor's process",
                    $"{Markdown.Ratio(Ratio(_fresh, FloorTool.ToolName))} wall time, {Markdown.Ratio(Ratio(_freshCpu, FloorTool.ToolName))} CPU time",
                    Ratio(_fresh, FloorTool.ToolName) <= 1.1);
            }
        }

        if (_scale.Count > 1)
        {
            ScaleResult first = _scale[0], last = _scale[^1];
            foreach ((string what, Func<ScaleResult, Samples> pick) in new (string, Func<ScaleResult, Samples>)[] { ("no-op start", r => r.NoOp), ("status", r => r.Status) })
            {
                double perFirst = pick(first).Median / first.Size, perLast = pick(last).Median / last.Size;
                Goal($"{what} with {last.Size} applied: linear (µs/migration flat from {first.Size} to {last.Size}) and under 1 s",
                    $"{Markdown.Number(perFirst * 1000, "F1")} → {Markdown.Number(perLast * 1000, "F1")} µs/migration, {Markdown.Ms(pick(last).Median)} ms",
                    perLast <= perFirst * 1.1 && pick(last).Median < 1000);
            }
        }

        if (Runs("replicas"))
        {
            double replicas = _manyRunners.Median / _oneRunner.Median;
            Goal($"{_arguments.Replicas} replicas ≤ 1.3× one runner, every migration once", Markdown.Ratio(replicas) + ", checked", replicas <= 1.3);
        }

        foreach (MemoryResult m in _memory)
        {
            double ratio = (m.Peak - m.Baseline) / (double)_seedBytes;
            Goal($"seed migration peak working set < 4× the file ({m.Collector} GC)", $"{Markdown.Ratio(ratio)} above the baseline, {Markdown.Ratio(m.Peak / (double)_seedBytes)} in all", ratio < 4);
        }

        if (_locks.HasResults)
        {
            foreach ((string goal, string measured, bool met) in _locks.Goals())
            {
                Goal(goal, measured, met);
            }
        }

        foreach ((string goal, string measured, bool met) in _clones.Goals())
        {
            Goal(goal, measured, met);
        }

        return goals;
    }

    private bool Runs(string group) => _arguments.Only.Contains(group);

    private static void ToolTable(Markdown md, Dictionary<string, Samples> scenario, IReadOnlyList<BenchTool> tools)
    {
        double floor = scenario[FloorTool.ToolName].Median;
        double migrationKit = scenario[MigrationKitTool.ToolName].Median;
        md.Table(["Tool", "median", "min", "max", "× floor", "× MigrationKit", "samples"], tools.Select(t =>
        {
            Samples s = scenario[t.Name];
            return (IReadOnlyList<string>)[DisplayName(t.Name), Markdown.Ms(s.Median), Markdown.Ms(s.Min), Markdown.Ms(s.Max),
                Markdown.Ratio(s.Median / floor), Markdown.Ratio(s.Median / migrationKit), s.Count.ToString(CultureInfo.InvariantCulture)];
        }));
    }

    private static string DisplayName(string tool) => tool switch
    {
        MigrationKitTool.ToolName => "MigrationKit",
        FloorTool.ToolName => "floor (plain Npgsql)",
        DbUpTool.ToolName => "DbUp 7.0.1",
        EvolveTool.ToolName => "Evolve 3.2.0",
        _ => tool,
    };

    private async Task<List<IReadOnlyList<string>>> MachineAsync()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        string memory = File.Exists("/proc/meminfo")
            ? Markdown.Number(long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / (1024.0 * 1024.0), "F0") + " GiB"
            : "?";
        string serverVersion, dataDirectory;
        await using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('data_directory'), current_setting('fsync')", connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            serverVersion = reader.GetString(0);
            dataDirectory = $"{reader.GetString(1)}{(reader.GetString(1).StartsWith("/dev/shm/", StringComparison.Ordinal) ? " (tmpfs)" : string.Empty)}, fsync {reader.GetString(2)}";
        }

        return
        [
            ["cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) + " (" + cpu + ")"],
            ["memory", memory],
            ["OS", RuntimeInformation.OSDescription],
            [".NET", RuntimeInformation.FrameworkDescription],
            ["PostgreSQL", $"{serverVersion}, {_server.Kind} ({dataDirectory})"],
            ["Npgsql", typeof(NpgsqlConnection).Assembly.GetName().Version?.ToString(3) ?? "?"],
        ];
    }

    private static string DefaultOutput()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MigrationKit.Benchmarks.csproj")))
            {
                return Path.Combine(folder.FullName, "results.md");
            }
        }

        return Path.GetFullPath("results.md");
    }

    internal static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private sealed class ScaleResult(int size)
    {
        public int Size { get; } = size;

        public Samples Apply { get; } = new();

        public Samples NoOp { get; } = new();

        public Samples Status { get; } = new();

        public Samples FloorNoOp { get; } = new();
    }

    private sealed record MemoryResult(string Collector, long Baseline, long Peak, long Milliseconds);
}
