using System.Globalization;

namespace MigrationKit.Benchmarks;

/// <summary>The command line: <c>[--n 500] [--rounds 5] [--scale 100,1000,10000|none] [--seed-mb 50] [--out FILE]</c>.</summary>
internal sealed class Arguments
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/MigrationKit.Benchmarks -- [options]
          --n N              migrations in the side-by-side scenarios (default 500)
          --rounds R         rounds; tools alternate within each round, medians over all (default 5)
          --noop K           no-op starts per tool and round, in this process (default 5)
          --fresh F          fresh-process no-op starts per tool and round (default 3)
          --replicas M       runners started at once in the replica scenario (default 8)
          --scale LIST       history sizes for the scale scenario, comma separated, or none (default 100,1000,10000)
          --seed-mb MB       size of the seed-data migration of the memory scenario, 0 to skip (default 50)
          --only LIST        scenarios to run, comma separated: tools (cold apply, no-op, fresh process, down),
                             processes (the command line in fresh processes: psql, native, dotnet tool, floor),
                             replicas, scale, memory, clones, lint, fleet, locks (the lease and PgBouncer against the advisory lock)
                             (default all; lint alone needs no server)
          --lint-samples S   samples of each lint timing (default 300)
          --native PATH      the native migrationkit (default $MIGRATIONKIT_CLI_NATIVE, else artifacts/native/linux-x64/migrationkit)
          --fleet-schemas N  schema tenants in the fleet scenario (default 1000)
          --fleet-databases N databases in the fleet scenario (default 200)
          --fleet-rounds R   rounds of the fleet scenario, each variant once per round (default 1)
          --out FILE         where to write the Markdown (default tests/MigrationKit.Benchmarks/results.md)
        """;

    public int N { get; private set; } = 500;

    public int Rounds { get; private set; } = 5;

    public int NoOpStarts { get; private set; } = 5;

    public int FreshStarts { get; private set; } = 3;

    public int Replicas { get; private set; } = 8;

    public IReadOnlyList<int> ScaleSizes { get; private set; } = [100, 1000, 10000];

    public int SeedMegabytes { get; private set; } = 50;

    public string? Output { get; private set; }

    public int FleetSchemas { get; private set; } = 1000;

    public int FleetDatabases { get; private set; } = 200;

    public int FleetRounds { get; private set; } = 1;

    /// <summary>Gets the scenario groups to run: tools, processes, replicas, scale, memory, clones, lint, fleet, locks.</summary>
    public IReadOnlySet<string> Only { get; private set; } = new HashSet<string>(Groups, StringComparer.Ordinal);

    public static readonly string[] Groups = ["tools", "processes", "replicas", "scale", "memory", "clones", "lint", "fleet", "locks"];

    public int LintSamples { get; private set; } = 300;

    /// <summary>Gets the native migrationkit binary for the processes scenario, when given with <c>--native</c>.</summary>
    public string? Native { get; private set; }

    /// <summary>Gets the tool of a child process, or <see langword="null"/> in the main process.</summary>
    public string? Child { get; private set; }

    public string? Folder { get; private set; }

    public string? FlywayFolder { get; private set; }

    public int Count { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Gets the command line as given, for the report.</summary>
    public string CommandLine { get; private set; } = string.Empty;

    public static Arguments Parse(string[] args)
    {
        var result = new Arguments { CommandLine = string.Join(' ', args) };
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Number(int min) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min
                ? n
                : throw new ArgumentException($"{name} takes a whole number of at least {min}.");

            switch (name)
            {
                case "--n": result.N = Number(1); break;
                case "--rounds": result.Rounds = Number(1); break;
                case "--noop": result.NoOpStarts = Number(1); break;
                case "--fresh": result.FreshStarts = Number(0); break;
                case "--replicas": result.Replicas = Number(2); break;
                case "--seed-mb": result.SeedMegabytes = Number(0); break;
                case "--lint-samples": result.LintSamples = Number(1); break;
                case "--out": result.Output = Value(); break;
                case "--native": result.Native = Value(); break;
                case "--fleet-schemas": result.FleetSchemas = Number(10); break;
                case "--fleet-databases": result.FleetDatabases = Number(10); break;
                case "--fleet-rounds": result.FleetRounds = Number(1); break;
                case "--only":
                    string[] groups = Value().Split(',');
                    result.Only = groups.All(g => Groups.Contains(g))
                        ? new HashSet<string>(groups, StringComparer.Ordinal)
                        : throw new ArgumentException($"--only takes some of {string.Join(',', Groups)}.");
                    break;
                case "--scale":
                    string sizes = Value();
                    result.ScaleSizes = sizes == "none"
                        ? []
                        : [.. sizes.Split(',').Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                            ? n
                            : throw new ArgumentException("--scale takes sizes such as 100,1000,10000, or none."))];
                    break;
                case "--child": result.Child = Value(); break;
                case "--dir": result.Folder = Value(); break;
                case "--flyway": result.FlywayFolder = Value(); break;
                case "--count": result.Count = Number(0); break;
                case "-h" or "--help": result.Help = true; break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        return result;
    }
}
