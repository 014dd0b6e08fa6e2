using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Testing;
using MigrationKit.Testing.Internal;

namespace MigrationKit.Benchmarks;

/// <summary>
/// What the lease costs: MigrationKit's cold apply and no-op start with <c>LockMode = Lease</c> on a direct connection,
/// and with the default options through a transaction-mode PgBouncer (where <c>Auto</c> takes the lease), each against
/// the direct advisory-lock run (the default options on a direct connection), in this process, the three alternating
/// round by round so that noise hits all of them.
/// </summary>
internal sealed class LockModeBenchmark(PostgresServer server)
{
    private const string Advisory = "direct, advisory lock (Auto)";
    private const string Lease = "direct, LockMode = Lease";
    private const string Pooled = "through PgBouncer (transaction mode), lease (Auto)";

    private readonly Dictionary<string, Samples> _cold = new(StringComparer.Ordinal) { [Advisory] = new(), [Lease] = new(), [Pooled] = new() };
    private readonly Dictionary<string, Samples> _noOp = new(StringComparer.Ordinal) { [Advisory] = new(), [Lease] = new(), [Pooled] = new() };
    private string? _whyNoPooler;
    private int _count;

    public bool HasResults => _cold[Advisory].Count > 0;

    public async Task RunAsync(Workload workload, int rounds, int noOpStarts)
    {
        _count = workload.Count;
        _whyNoPooler = server.Kind != PostgresServerKind.LocalCluster
            ? $"PgBouncer is put in front of a private cluster; this server is {server.Kind}"
            : await PgBouncer.WhyUnavailableAsync();
        PgBouncer? pooler = _whyNoPooler is null ? await PgBouncer.StartAsync(server, new PgBouncerSettings { PoolMode = PgBouncerPoolMode.Transaction }) : null;
        try
        {
            var variants = new List<(string Name, Func<string, string> Connect, LockMode Mode)>
            {
                (Advisory, name => server.GetConnectionString(name), LockMode.Auto),
                (Lease, name => server.GetConnectionString(name), LockMode.Lease),
            };
            if (pooler is not null)
            {
                variants.Add((Pooled, name => pooler.GetConnectionString(name), LockMode.Auto));
            }

            // Untimed: every path compiled before it is timed.
            foreach ((string _, Func<string, string> connect, LockMode mode) in variants)
            {
                await using ThrowawayDatabase warm = await server.CreateEmptyDatabaseAsync("mk_bench_");
                await ApplyAsync(connect(warm.Name), workload, mode);
                await StartAsync(connect(warm.Name), workload, mode);
            }

            for (int round = 0; round < rounds; round++)
            {
                BenchmarkRun.Progress($"lock modes: round {round + 1} of {rounds}");
                for (int i = 0; i < variants.Count; i++)
                {
                    (string name, Func<string, string> connect, LockMode mode) = variants[(i + round) % variants.Count];
                    await using ThrowawayDatabase database = await server.CreateEmptyDatabaseAsync("mk_bench_");
                    string cs = connect(database.Name);
                    _cold[name].Add(await Timing.ColdConnectionAsync(() => ApplyAsync(cs, workload, mode)));
                    await Checks.ExpectBenchTablesAsync(database.ConnectionString, workload.Count, $"the cold apply {name}");
                    for (int j = 0; j < noOpStarts; j++)
                    {
                        _noOp[name].Add(await Timing.ColdConnectionAsync(() => StartAsync(cs, workload, mode)));
                    }

                    bool leaseTable = await Checks.ScalarAsync(database.ConnectionString, "SELECT (to_regclass('public.schema_migrations_lock') IS NOT NULL)::int") == 1;
                    if (leaseTable == (name == Advisory))
                    {
                        throw new BenchmarkFailedException($"{name}: the lease table is {(leaseTable ? "there" : "missing")}, so the run did not take the lock it was meant to measure.");
                    }
                }
            }
        }
        finally
        {
            if (pooler is not null)
            {
                await pooler.DisposeAsync();
            }
        }
    }

    public void Report(Markdown md)
    {
        md.Heading($"Lock modes: the lease and PgBouncer against the advisory lock ({_count} migrations, MigrationKit only)");
        md.Paragraph(
            "The same cold apply and no-op start as above, in this process, three ways: the default options on a direct connection " +
            "(`Auto` takes the session advisory lock), `LockMode = Lease` on a direct connection (a row in `schema_migrations_lock`, " +
            "taken and released by single transactions, and a fence that renews it in every migration's transaction), and the default " +
            "options through a transaction-mode PgBouncer 1.18 on the same machine (`Auto` sees the pooler and takes the lease; every " +
            "statement makes one more loopback hop). A no-op start takes no lock at all: it reads the history, finds nothing to do and returns; " +
            "through PgBouncer it is faster because the pooler keeps its server connections open, so a new client connection costs no " +
            "new PostgreSQL backend (the pools of Npgsql are cleared before each timing either way). " +
            (_whyNoPooler is null ? string.Empty : $"PgBouncer was not measured: {_whyNoPooler}."));
        var rows = new List<IReadOnlyList<string>>();
        foreach ((string scenario, Dictionary<string, Samples> samples) in new[] { ("cold apply", _cold), ("no-op start", _noOp) })
        {
            double baseline = samples[Advisory].Median;
            foreach ((string name, Samples s) in samples.Where(p => p.Value.Count > 0))
            {
                rows.Add([scenario, name, Markdown.Ms(s.Median), Markdown.Ms(s.Min), Markdown.Ms(s.Max), Markdown.Ratio(s.Median / baseline), s.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
        }

        md.Table(["Operation", "connection and lock", "median", "min", "max", "× advisory", "samples"], rows);
    }

    public IEnumerable<(string Goal, string Measured, bool Met)> Goals()
    {
        double cold = _cold[Lease].Median / _cold[Advisory].Median;
        double noOp = _noOp[Lease].Median / _noOp[Advisory].Median;
        yield return ($"lease cold apply of {_count} ≤ 1.1× the advisory lock", Markdown.Ratio(cold) + PooledNote(_cold), cold <= 1.1);
        yield return ("lease no-op start ≤ 1.2× the advisory lock", Markdown.Ratio(noOp) + PooledNote(_noOp), noOp <= 1.2);
    }

    private static string PooledNote(Dictionary<string, Samples> samples) =>
        samples[Pooled].Count == 0 ? string.Empty : $" ({Markdown.Ratio(samples[Pooled].Median / samples[Advisory].Median)} through PgBouncer)";

    private static MigrationRunner Runner(string connectionString, string folder, LockMode mode)
    {
        var options = new MigrationOptions { ConnectionString = connectionString, LockMode = mode };
        return new MigrationRunner(new FileSystemMigrationSource(folder), new PostgresMigrationStore(options), options);
    }

    private static async Task ApplyAsync(string connectionString, Workload workload, LockMode mode)
    {
        MigrationReport report = await Runner(connectionString, workload.GolangMigrateFolder, mode).UpAsync();
        if (report.Executed.Count != workload.Count)
        {
            throw new BenchmarkFailedException($"up applied {report.Executed.Count} migrations where {workload.Count} were expected.");
        }
    }

    private static async Task StartAsync(string connectionString, Workload workload, LockMode mode)
    {
        MigrationReport report = await Runner(connectionString, workload.GolangMigrateFolder, mode).UpAsync();
        if (report.Executed.Count != 0 || report.EndVersion != workload.Count)
        {
            throw new BenchmarkFailedException($"a no-op start ran {report.Executed.Count} migrations and ended at {report.EndVersion}.");
        }
    }
}
