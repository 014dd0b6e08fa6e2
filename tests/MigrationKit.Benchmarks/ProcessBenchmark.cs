using System.Diagnostics;
using System.Globalization;
using MigrationKit.Benchmarks.Tools;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Benchmarks;

/// <summary>
/// The command line in a fresh process, as a deploy job or an init container runs it: a no-op <c>up</c> and a
/// <c>status</c> with every migration applied, from process start to exit, for the <c>psql</c> binary asking the same
/// server for the history (the floor of a process that connects and asks one question), the native
/// <c>migrationkit</c> (<c>eng/publish-native.sh</c>), the <c>dotnet tool</c> (the apphost of the tool's build output,
/// which is what <c>dotnet tool install</c> puts on PATH) and this benchmark's own raw-Npgsql floor process. The four
/// alternate within each round, so noise on the machine hits all of them.
/// </summary>
internal sealed class ProcessBenchmark(PostgresServer server, Arguments arguments)
{
    public const string PsqlQuery = "select count(*) from schema_migrations";

    public const string ValidatePlanner = "validate (Planner folder, no database)";

    private readonly List<Row> _rows = [];

    private string _note = string.Empty;

    public async Task RunAsync(Workload workload, string root)
    {
        await using ThrowawayDatabase database = await server.CreateEmptyDatabaseAsync("mk_bench_");
        string cs = database.ConnectionString;
        BenchmarkRun.Progress($"fresh processes: applying {workload.Count} migrations");
        await new MigrationKitTool().ApplyAsync(cs, workload, workload.Count);
        await Checks.ScalarAsync(cs, $"""
            CREATE TABLE floor_history (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO floor_history (version) SELECT generate_series(1, {workload.Count});
            SELECT count(*) FROM floor_history
            """);

        var builder = new NpgsqlConnectionStringBuilder(cs);
        string? psql = FindPsql();
        string? native = FindNative();
        string? dotnetTool = FindTool();
        var commands = new List<(string Tool, string Operation, ProcessStartInfo? Start)>();
        foreach (string operation in new[] { "up", "status" })
        {
            commands.Add(("psql binary", operation, psql is null ? null : Psql(psql, builder)));
            commands.Add(("migrationkit (native)", operation, native is null ? null : Cli(native, operation, cs, workload, root)));
            commands.Add(("migrationkit (dotnet tool)", operation, dotnetTool is null ? null : Cli(dotnetTool, operation, cs, workload, root)));
            commands.Add(("floor process (raw Npgsql)", operation, Floor(cs, workload)));
        }

        // validate on the Planner's folder with no database: the folder read and checked, nothing else.
        string planner = CloneBenchmark.PlannerMigrations();
        commands.Add(("migrationkit (native)", ValidatePlanner, native is null ? null : Validate(native, planner, root)));
        commands.Add(("migrationkit (dotnet tool)", ValidatePlanner, dotnetTool is null ? null : Validate(dotnetTool, planner, root)));

        var samples = commands.ToDictionary(c => (c.Tool, c.Operation), _ => new Samples());
        foreach ((_, _, ProcessStartInfo? start) in commands.Where(c => c.Start is not null))
        {
            await TimeAsync(start!);    // untimed: the files in the page cache, as on every later start
        }

        int perRound = Math.Max(arguments.FreshStarts, 3);
        for (int round = 0; round < arguments.Rounds; round++)
        {
            BenchmarkRun.Progress($"fresh processes: round {round + 1} of {arguments.Rounds}");
            for (int i = 0; i < commands.Count; i++)
            {
                (string tool, string operation, ProcessStartInfo? start) = commands[(i + round) % commands.Count];
                if (start is null)
                {
                    continue;
                }

                for (int k = 0; k < perRound; k++)
                {
                    samples[(tool, operation)].Add(await TimeAsync(start));
                }
            }
        }

        foreach ((string tool, string operation, ProcessStartInfo? start) in commands)
        {
            _rows.Add(new Row(tool, operation, start is null ? null : samples[(tool, operation)]));
        }

        _note = $"{perRound} starts per command and round. psql: {psql ?? "not found"}; native: {native ?? "not published (run eng/publish-native.sh)"}; " +
            $"dotnet tool: {dotnetTool ?? "not built"}. The psql binary runs `psql -X -c '{PsqlQuery}'` for both rows (Debian's `psql` on PATH is a Perl wrapper: not it).";
    }

    /// <summary>The median of one command, or NaN when it did not run.</summary>
    public double Median(string tool, string operation) =>
        _rows.FirstOrDefault(r => r.Tool == tool && r.Operation == operation)?.Samples?.Median ?? double.NaN;

    public void Report(Markdown md, int n)
    {
        md.Heading($"The command line in a fresh process: a no-op `up` and `status` with {n} migrations applied, process start to exit");
        md.Paragraph(_note);
        var rows = new List<IReadOnlyList<string>>();
        foreach (Row row in _rows)
        {
            double psql = row.Operation == ValidatePlanner ? Median("psql binary", "up") : Median("psql binary", row.Operation);
            Samples? s = row.Samples;
            rows.Add(s is null
                ? [row.Tool, row.Operation, "not run", "–", "–", "–", "0"]
                : [row.Tool, row.Operation, Markdown.Ms(s.Median), Markdown.Ms(s.Min), Markdown.Ms(s.Max), Markdown.Ratio(s.Median / psql), s.Count.ToString(CultureInfo.InvariantCulture)]);
        }

        md.Table(["Process", "command", "median", "min", "max", "× psql", "samples"], rows);
    }

    private static async Task<double> TimeAsync(ProcessStartInfo start)
    {
        long started = Stopwatch.GetTimestamp();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new BenchmarkFailedException($"`{start.FileName} {string.Join(' ', start.ArgumentList)}` exited with {process.ExitCode}: {await errors}{await output}");
        }

        return elapsed;
    }

    private static ProcessStartInfo Start(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return start;
    }

    private static ProcessStartInfo Psql(string psql, NpgsqlConnectionStringBuilder builder)
    {
        ProcessStartInfo start = Start(psql, ["-X", "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!, "-c", PsqlQuery]);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            start.Environment["PGPASSWORD"] = builder.Password;
        }

        return start;
    }

    private static ProcessStartInfo Cli(string program, string operation, string connectionString, Workload workload, string root)
    {
        ProcessStartInfo start = Start(program, [operation, "--source", workload.GolangMigrateFolder]);
        start.Environment["DATABASE_URL"] = connectionString;
        start.WorkingDirectory = root;
        return start;
    }

    private static ProcessStartInfo Validate(string program, string folder, string root)
    {
        ProcessStartInfo start = Start(program, ["validate", "--source", folder]);
        start.Environment.Remove("DATABASE_URL");
        start.WorkingDirectory = root;
        return start;
    }

    private static ProcessStartInfo Floor(string connectionString, Workload workload)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var args = new List<string>();
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.Ordinal))
        {
            args.Add(typeof(ProcessBenchmark).Assembly.Location);
        }

        args.AddRange(["--child", FloorTool.ToolName, "--dir", workload.GolangMigrateFolder, "--count", workload.Count.ToString(CultureInfo.InvariantCulture)]);
        ProcessStartInfo start = Start(self, args);
        start.Environment[ChildMode.ConnectionVariable] = connectionString;
        return start;
    }

    /// <summary>The psql binary of the newest PostgreSQL under /usr/lib/postgresql, as the test clusters use.</summary>
    private static string? FindPsql() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin", "psql"))
            .Where(File.Exists)
            .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out int v) ? v : 0)
            .FirstOrDefault()
        : null;

    /// <summary><c>--native PATH</c>, else MIGRATIONKIT_CLI_NATIVE, else artifacts/native/linux-x64/migrationkit of this clone.</summary>
    private string? FindNative()
    {
        string? given = arguments.Native ?? Environment.GetEnvironmentVariable("MIGRATIONKIT_CLI_NATIVE");
        if (!string.IsNullOrEmpty(given))
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new BenchmarkFailedException($"The native binary {given} does not exist.");
        }

        string? root = RepositoryRoot();
        string candidate = root is null ? string.Empty : Path.Combine(root, "artifacts", "native", "linux-x64", "migrationkit");
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>The tool's apphost in its build output, of this benchmark's configuration (…/bin/Release/net10.0/MigrationKit.Cli).</summary>
    private static string? FindTool()
    {
        string? root = RepositoryRoot();
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (root is null || output.Parent is null)
        {
            return null;
        }

        string candidate = Path.Combine(root, "src", "MigrationKit.Cli", "bin", output.Parent.Name, output.Name, "MigrationKit.Cli");
        return File.Exists(candidate) ? candidate : null;
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MigrationKit.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private sealed record Row(string Tool, string Operation, Samples? Samples);
}
