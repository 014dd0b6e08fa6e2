using MigrationKit.IntegrationTests.Support;
using MigrationKit.Linting;
using MigrationKit.Sources;
using MigrationKit.Testing;
using MigrationKit.Tests.Linting;
using Npgsql;

namespace MigrationKit.IntegrationTests.Linting;

/// <summary>
/// What each rule says about a lock, checked on the server: the failing migration of each rule case runs in a
/// transaction on a database migrated up to it, and the strongest lock it then holds on the table (pg_locks) is the
/// lock the finding names.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class LintLockClaimTests
{
    private static readonly string[] Strength =
    [
        "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
    ];

    private static IEnumerable<TestCaseData> Cases() => LintRuleCase.All
        .Where(c => c.Lock is not null)
        .Select(c => new TestCaseData(c).SetArgDisplayNames($"{c.Rule}: {c.Name}"));

    [TestCaseSource(nameof(Cases))]
    public async Task The_lock_a_finding_names_is_the_lock_the_server_takes(object data)
    {
        var @case = (LintRuleCase)data;
        Migration[] folder = LintFolder.Folder([LintFolder.Tables, .. @case.Failing]);
        LintFinding finding = new MigrationLinter().Lint(folder).Findings.Should().ContainSingle().Subject;
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, new InMemoryMigrationSource(folder[..^1])).UpAsync();

        string held = await StrongestLockAsync(db.ConnectionString, @case.Table!, folder[^1].Up.Sql);

        finding.Lock.Should().Be(@case.Lock);
        held.Should().Be(@case.Lock, $"the server's lock on {@case.Table} while {folder[^1].Up.Sql} runs");
    }

    /// <summary>Runs the script in a transaction and returns the strongest lock it holds on the table, as lint names locks.</summary>
    private static async Task<string> StrongestLockAsync(string connectionString, string table, string script)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var oid = new NpgsqlCommand("SELECT $1::regclass::oid", connection) { Parameters = { new() { Value = table } } };
        uint relation = (uint)(await oid.ExecuteScalarAsync())!;

        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await using (var run = new NpgsqlCommand(script, connection, transaction))
        {
            await run.ExecuteNonQueryAsync();
        }

        var modes = new List<string>();
        await using (var locks = new NpgsqlCommand("SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = $1 AND granted", connection, transaction))
        {
            locks.Parameters.Add(new NpgsqlParameter { Value = relation, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
            await using NpgsqlDataReader reader = await locks.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                modes.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync();
        modes.Should().NotBeEmpty($"the script takes a lock on {table}");
        string strongest = modes.MaxBy(m => Array.IndexOf(Strength, m))!;

        // AccessExclusiveLock -> ACCESS EXCLUSIVE
        string words = string.Concat(strongest[..^"Lock".Length].Select((c, i) => i > 0 && char.IsUpper(c) ? " " + c : c.ToString()));
        return words.ToUpperInvariant();
    }
}
