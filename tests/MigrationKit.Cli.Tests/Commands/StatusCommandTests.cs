using System.Text.Json;
using MigrationKit.Cli.Tests.Support;
using Npgsql;

namespace MigrationKit.Cli.Tests.Commands;

[Parallelizable(ParallelScope.All)]
public sealed class StatusCommandTests
{
    private static readonly string Planner = MigrationFolder.PlannerMigrations;

    [Test]
    public async Task The_table_shows_every_version_with_applied_at_duration_and_each_state()
    {
        using var folder = new MigrationFolder()
            .Up(1, "a", "CREATE TABLE a (id int);\n")
            .Up(2, "b", "CREATE TABLE b (id int);\n")
            .Up(3, "c", "CREATE TABLE c (id int);\n")
            .Up(4, "d", "-- migrationkit:no-transaction\nCREATE TABLE d (id int);\nSELECT 1 / 0;\n");
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", folder.Path);

        // 1 leaves the folder (missing), 2 is edited (drifted), 3 stays (applied), 4 failed (dirty), 5 is new (pending).
        File.Delete(folder.File("001_a.up.sql"));
        folder.Write("002_b.up.sql", "CREATE TABLE b (id bigint);\n");
        folder.Up(5, "e", "CREATE TABLE e (id int);\n");

        CliResult result = await db.RunProcessAsync("status", "--source", folder.Path);

        result.ExitCode.Should().Be(3, "status exits 3 when the database is dirty (issue 11)");
        string[] lines = result.Out.Split('\n');
        lines[0].Should().Be($"Database \"{db.Name}\" on {db.Host}:{db.Port} as {db.User}, history \"public\".\"schema_migrations\"");
        lines.Should().Contain(l => l.StartsWith("Version  Description  Applied at (UTC)", StringComparison.Ordinal));
        string time = @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d";
        result.Out.Should().MatchRegex($@"(?m)^      1  a            {time}  +[0-9.<]+ ms  missing$");
        result.Out.Should().MatchRegex($@"(?m)^      2  b            {time}  +[0-9.<]+ ms  drifted$");
        result.Out.Should().MatchRegex($@"(?m)^      3  c            {time}  +[0-9.<]+ ms  applied$");
        result.Out.Should().MatchRegex($@"(?m)^      4  d            {time}  +-  dirty$");
        result.Out.Should().MatchRegex(@"(?m)^      5  e            -  +-  pending$");
        result.Out.Should().Contain("Version 4: 1 applied, 1 pending, 1 dirty, 1 drifted, 1 missing.")
            .And.Contain("force 4");
        result.Out.Should().NotContain("\u001b[", "standard output is not a terminal");
    }

    [Test]
    public async Task Json_status_parses_and_matches_the_history_table()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "4", "--source", Planner);

        CliResult result = await db.RunProcessAsync("status", "--json", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement root = json.RootElement;
        root.GetProperty("currentVersion").GetInt64().Should().Be(4);
        root.GetProperty("dirty").GetBoolean().Should().BeFalse();
        root.GetProperty("historyTable").GetString().Should().Be("\"public\".\"schema_migrations\"");
        root.GetProperty("database").GetProperty("name").GetString().Should().Be(db.Name);
        root.GetProperty("database").GetProperty("port").GetInt32().Should().Be(db.Port);
        root.GetProperty("counts").GetProperty("applied").GetInt32().Should().Be(4);
        root.GetProperty("counts").GetProperty("pending").GetInt32().Should().Be(6);

        JsonElement[] migrations = [.. root.GetProperty("migrations").EnumerateArray()];
        migrations.Select(m => m.GetProperty("version").GetInt64()).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        migrations[0].GetProperty("description").GetString().Should().Be("create_projects_table");
        migrations[0].GetProperty("origin").GetString().Should().EndWith("001_create_projects_table.up.sql");
        migrations[0].GetProperty("hasDown").GetBoolean().Should().BeTrue();

        Dictionary<long, (DateTimeOffset AppliedAt, long? Ms, string By, string Checksum)> rows = await HistoryRowsAsync(db);
        foreach (JsonElement migration in migrations)
        {
            long version = migration.GetProperty("version").GetInt64();
            if (rows.TryGetValue(version, out var row))
            {
                migration.GetProperty("state").GetString().Should().Be("applied");
                migration.GetProperty("appliedAt").GetDateTimeOffset().Should().Be(row.AppliedAt);
                migration.GetProperty("executionMs").GetInt64().Should().Be(row.Ms);
                migration.GetProperty("appliedBy").GetString().Should().Be(row.By);
                migration.GetProperty("appliedChecksum").GetString().Should().Be(row.Checksum).And.Be(migration.GetProperty("checksum").GetString());
            }
            else
            {
                migration.GetProperty("state").GetString().Should().Be("pending");
                migration.GetProperty("appliedAt").ValueKind.Should().Be(JsonValueKind.Null);
            }
        }

        rows.Keys.Should().Equal(1, 2, 3, 4);
    }

    [Test]
    public async Task Json_status_of_an_empty_database_lists_every_migration_as_pending()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await db.RunAsync("status", "--json", "--source", Planner);

        using JsonDocument json = JsonDocument.Parse(result.Out);
        json.RootElement.GetProperty("currentVersion").ValueKind.Should().Be(JsonValueKind.Null, "nothing is applied, and 0 is a version");
        json.RootElement.GetProperty("migrations").EnumerateArray().Select(m => m.GetProperty("state").GetString())
            .Should().HaveCount(10).And.OnlyContain(s => s == "pending");
        (await db.TablesAsync()).Should().BeEmpty("status only reads");
    }

    private static async Task<Dictionary<long, (DateTimeOffset, long?, string, string)>> HistoryRowsAsync(TestDatabase db)
    {
        var rows = new Dictionary<long, (DateTimeOffset, long?, string, string)>();
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version, applied_at, execution_ms, applied_by, checksum FROM schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetInt64(0)] = (
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.GetString(3),
                reader.GetString(4));
        }

        return rows;
    }
}
