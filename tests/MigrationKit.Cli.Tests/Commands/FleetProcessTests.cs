using System.Globalization;
using System.Text;
using System.Text.Json;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

/// <summary>
/// Fleets as processes: one killed with SIGKILL in the middle and run again, and two started at once on the same 100
/// targets. The migrations have side effects outside their schema (a row each in <c>public.side_effects</c>), so a
/// migration applied twice would show.
/// </summary>
[NonParallelizable]
public sealed class FleetProcessTests
{
    private const int Tenants = 100;
    private const int Migrations = 5;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Test]
    public async Task Killing_the_fleet_process_in_the_middle_then_running_it_again_completes_every_target_and_applies_nothing_twice()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = SideEffectFolder(sleepSeconds: 0.1);
        await CreateTenantsAsync(db);

        using (CliProcess killed = CliProcess.Start(db.Start(), "up", "--schemas", "tenant\\_%", "--source", folder.Path, "--parallel", "4"))
        {
            await Eventually.HoldsAsync(() => Count(killed.OutputSoFar, "applied ") >= 10, Deadline, "ten targets are done");
            killed.KillHard();
            await killed.WaitAsync(Deadline);
        }

        long doneBeforeTheKill = await db.ScalarAsync<long>("SELECT count(DISTINCT tenant) FROM side_effects WHERE version = 5");
        doneBeforeTheKill.Should().BeInRange(10, Tenants - 1, "the fleet was killed in the middle");

        CliResult rerun = await CliProcess.RunAsync(db.Start(), "up", "--schemas", "tenant\\_%", "--source", folder.Path, "--parallel", "4", "--json");

        rerun.ExitCode.Should().Be(0, rerun.ToString());
        using JsonDocument json = JsonDocument.Parse(rerun.Out);
        JsonElement[] targets = [.. json.RootElement.GetProperty("targets").EnumerateArray()];
        targets.Should().HaveCount(Tenants).And.OnlyContain(t => t.GetProperty("toVersion").GetInt64() == Migrations);
        targets.Count(t => t.GetProperty("status").GetString() == "up-to-date").Should().BeGreaterThanOrEqualTo((int)doneBeforeTheKill);
        await ExpectEveryMigrationExactlyOnceAsync(db);
    }

    [Test]
    public async Task Two_fleet_processes_started_at_once_on_the_same_100_targets_apply_every_migration_exactly_once_and_both_exit_0()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = SideEffectFolder(sleepSeconds: 0.01);
        await CreateTenantsAsync(db);

        using CliProcess first = CliProcess.Start(db.Start(), "up", "--schemas", "tenant\\_%", "--source", folder.Path, "--parallel", "4", "--json");
        using CliProcess second = CliProcess.Start(db.Start(), "up", "--schemas", "tenant\\_%", "--source", folder.Path, "--parallel", "4", "--json");
        CliResult[] results = await Task.WhenAll(first.WaitAsync(Deadline), second.WaitAsync(Deadline));

        results.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", results.Select(r => r.ToString())));
        var appliedBy = new Dictionary<string, int>();
        var outcomes = new List<string>();
        for (int process = 0; process < 2; process++)
        {
            using JsonDocument json = JsonDocument.Parse(results[process].Out);
            foreach (JsonElement target in json.RootElement.GetProperty("targets").EnumerateArray())
            {
                string status = target.GetProperty("status").GetString()!;
                outcomes.Add(status);
                target.GetProperty("toVersion").GetInt64().Should().Be(Migrations);
                if (status == "applied")
                {
                    target.GetProperty("migrationsApplied").GetInt32().Should().Be(Migrations, "one process applies a whole target under its lock");
                    appliedBy[target.GetProperty("schema").GetString()!] = appliedBy.GetValueOrDefault(target.GetProperty("schema").GetString()!) + 1;
                }
                else
                {
                    status.Should().BeOneOf("done-by-another", "up-to-date");
                }
            }
        }

        appliedBy.Should().HaveCount(Tenants).And.OnlyContain(a => a.Value == 1, "each target is reported applied by exactly one of the two");
        TestContext.Out.WriteLine(string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Count()} {g.Key}")));
        await ExpectEveryMigrationExactlyOnceAsync(db);
    }

    /// <summary>Five migrations; each creates a table in the tenant's schema and writes one row outside it.</summary>
    private static MigrationFolder SideEffectFolder(double sleepSeconds)
    {
        var folder = new MigrationFolder();
        for (int version = 1; version <= Migrations; version++)
        {
            var sql = new StringBuilder().Append(CultureInfo.InvariantCulture, $"CREATE TABLE t{version} (id int);\n");
            sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO public.side_effects (tenant, version) VALUES ('${{schema}}', {version});\n");
            if (version == 3)
            {
                sql.Append(CultureInfo.InvariantCulture, $"SELECT pg_sleep({sleepSeconds.ToString(CultureInfo.InvariantCulture)});\n");
            }

            folder.Up(version, $"step_{version}", sql.ToString());
        }

        return folder;
    }

    private static async Task CreateTenantsAsync(TestDatabase db)
    {
        var sql = new StringBuilder("CREATE TABLE public.side_effects (tenant text NOT NULL, version int NOT NULL);\n");
        for (int i = 1; i <= Tenants; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"CREATE SCHEMA tenant_{i:D3};\n");
        }

        await db.ExecuteAsync(sql.ToString());
    }

    private static async Task ExpectEveryMigrationExactlyOnceAsync(TestDatabase db)
    {
        (await db.ScalarAsync<long>("SELECT count(*) FROM side_effects")).Should().Be(Tenants * Migrations);
        (await db.ScalarAsync<long>("SELECT count(*) FROM (SELECT tenant, version FROM side_effects GROUP BY 1, 2 HAVING count(*) > 1) twice")).Should().Be(0);
        (await db.ScalarAsync<long>("SELECT count(DISTINCT tenant) FROM side_effects")).Should().Be(Tenants);
        long histories = 0;
        for (int i = 1; i <= Tenants; i++)
        {
            histories += await db.ScalarAsync<long>($"SELECT count(*) FROM tenant_{i:D3}.schema_migrations WHERE NOT dirty");
        }

        histories.Should().Be(Tenants * Migrations);
    }

    private static int Count(string text, string word)
    {
        int count = 0;
        for (int at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + word.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
