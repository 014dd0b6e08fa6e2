using System.Text;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Sources;

/// <summary>
/// Hostile and broken migration folders, one case a line, run end to end against a real database. Each folder also
/// holds a good migration, <c>1_good.up.sql</c>. A case either applies (and its rows say what was recorded), or is
/// refused before anything runs: the error names the problem, and neither the good migration nor anything of the bad
/// one reaches the server. Cases the unit tests already cover at the source level
/// (tests/MigrationKit.Tests/Sources) are here end to end, through the runner; see docs/guarantees.md.
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Hostile")]
[Parallelizable(ParallelScope.All)]
public sealed class HostileInputTests
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static IEnumerable<TestCaseData> Cases()
    {
        // File names.
        yield return Applies("unicode and spaces in the description", f => f.Write("2_créer la table ünïcödé 表 😀.up.sql", "CREATE TABLE two (id int);"), (2, "créer la table ünïcödé 表 😀"));
        yield return Applies("dots in the description", f => f.Write("2_..up.sql", "CREATE TABLE two (id int);").Write("3_a..b...c.up.sql", "CREATE TABLE three (id int);"), (2, "."), (3, "a..b...c"));
        yield return Applies("the largest version, 2^63 - 1", f => f.Write("9223372036854775807_last.up.sql", "CREATE TABLE last (id int);"), (long.MaxValue, "last"));
        yield return Applies("forty leading zeros", f => f.Write(new string('0', 40) + "7_zeros.up.sql", "CREATE TABLE seven (id int);"), (7, "zeros"));
        yield return Refused("a version that overflows 64 bits", f => f.Write("9223372036854775808_over.up.sql", "CREATE TABLE over (id int);"), ValidationCode.InvalidFileName, "out of range");
        yield return Refused("a .sql file that matches nothing", f => f.Write("create_users.sql", "CREATE TABLE users (id int);"), ValidationCode.InvalidFileName, "create_users.sql");
        yield return Refused("a newline in the file name", f => f.Write("2_line\nbreak.up.sql", "CREATE TABLE two (id int);"), ValidationCode.InvalidFileName, "control character");
        yield return Refused("the same version in two spellings", f => f.Write("2_two.up.sql", "SELECT 1;").Write("002_two.up.sql", "SELECT 2;"), ValidationCode.DuplicateVersion, "002_two.up.sql");

        // Contents.
        yield return Applies("an empty file", f => f.Write("2_empty.up.sql", string.Empty), (2, "empty"));
        yield return Applies("only comments", f => f.Write("2_comments.up.sql", "-- nothing yet\n/* nor /* here */ */\n"), (2, "comments"));
        yield return Applies("a byte order mark and CRLF line endings", f => f.WriteBytes("2_bom.up.sql", [.. Bom, .. Encoding.UTF8.GetBytes("CREATE TABLE two (\r\n  id int\r\n);\r\n")]), (2, "bom"));
        yield return Refused("invalid UTF-8", f => f.WriteBytes("2_latin1.up.sql", [.. Encoding.UTF8.GetBytes("CREATE TABLE two (id int);\nINSERT INTO two VALUES (1); -- caf"), 0xE9, (byte)'\n']), ValidationCode.UnreadableScript, "not valid UTF-8", line: 2, column: 35);
        yield return Refused("a NUL character", f => f.Write("2_nul.up.sql", "CREATE TABLE two (id int);\0"), ValidationCode.UnreadableScript, "NUL", line: 1, column: 27);
        yield return Refused("an unterminated dollar quote", f => f.Write("2_dollar.up.sql", "CREATE TABLE two (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1;\n"), ValidationCode.SyntaxError, "2_dollar.up.sql:2:49: error SyntaxError: unterminated dollar-quoted string $body$", line: 2, column: 49);
        yield return Refused("an unterminated block comment", f => f.Write("2_comment.up.sql", "CREATE TABLE two (id int);\n/* a /* nested */ comment never closed\nCREATE TABLE three (id int);\n"), ValidationCode.SyntaxError, "2_comment.up.sql:2:1: error SyntaxError: unterminated /* comment", line: 2, column: 1);
        yield return Refused("an unterminated string", f => f.Write("2_string.up.sql", "INSERT INTO x VALUES ('it''s never closed);\n"), ValidationCode.SyntaxError, "2_string.up.sql:1:23: error SyntaxError: unterminated quoted string", line: 1, column: 23);
        yield return Refused("an unterminated quoted identifier", f => f.Write("2_ident.up.sql", "CREATE TABLE \"two (id int);\n"), ValidationCode.SyntaxError, "2_ident.up.sql:1:14: error SyntaxError: unterminated quoted identifier", line: 1, column: 14);

        // Things in the folder that are not files.
        yield return Refused("a symlink loop", f => File.CreateSymbolicLink(Path.Combine(f.Path, "2_loop.up.sql"), Path.Combine(f.Path, "2_loop.up.sql")), ValidationCode.UnreadableScript, "2_loop.up.sql");
        yield return Refused("a directory named like a script", f => Directory.CreateDirectory(Path.Combine(f.Path, "2_folder.up.sql")), ValidationCode.UnreadableScript, "directory");
        yield return Refused("a FIFO named like a script (reading it would block forever)", f => MakeFifo(Path.Combine(f.Path, "2_fifo.up.sql")), ValidationCode.UnreadableScript, "not a regular file");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_hostile_folder_is_applied_or_refused_cleanly(Action<HostileFolder> arrange, Outcome outcome)
    {
        using var folder = new HostileFolder();
        folder.Write("1_good.up.sql", "CREATE TABLE good (id int);");
        arrange(folder);
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var options = Runners.Options(db);
        var runner = new MigrationRunner(new FileSystemMigrationSource(folder.Path), new MigrationKit.Postgres.PostgresMigrationStore(options), options);

        await AssertOutcomeAsync(runner, db, outcome);
    }

    [Test]
    public async Task The_same_version_in_a_folder_and_in_code_is_refused_naming_both()
    {
        // Embedded resources and a folder: tests/MigrationKit.Tests/Sources/EmbeddedResourceMigrationSourceTests; here
        // code-defined migrations and a folder, end to end.
        using var folder = new HostileFolder();
        folder.Write("1_good.up.sql", "CREATE TABLE good (id int);").Write("2_from_folder.up.sql", "CREATE TABLE two (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new CompositeMigrationSource([new FileSystemMigrationSource(folder.Path), new InMemoryMigrationSource().Add(2, "from_code", "CREATE TABLE two_code (id int);")]);

        await AssertOutcomeAsync(Runners.For(db, source), db, new Outcome(ValidationCode.DuplicateVersion, "2_from_folder.up.sql", null, null, []));
    }

    internal static async Task AssertOutcomeAsync(MigrationRunner runner, ThrowawayDatabase db, Outcome outcome)
    {
        if (outcome.Refusal is null)
        {
            MigrationReport report = await runner.UpAsync();
            report.Executed.Select(e => e.Version).Should().Equal([1L, .. outcome.Applied.Select(a => a.Version)]);
            var rows = await HistoryAsync(db);
            rows.Should().Equal([(1L, "good"), .. outcome.Applied]);
            return;
        }

        MigrationValidationException refusal = (await FluentActions.Awaiting(() => runner.UpAsync()).Should().ThrowAsync<MigrationValidationException>()).Which;
        ValidationProblem problem = refusal.Problems.Should().ContainSingle(p => p.Code == outcome.Refusal).Which;
        problem.ToString().Should().Contain(outcome.MessageContains, "the problem names the file and what is wrong");
        if (outcome.Line is { } line)
        {
            problem.Line.Should().Be(line);
        }

        if (outcome.Column is { } column)
        {
            problem.Column.Should().Be(column);
        }

        TestContext.Out.WriteLine(refusal.Message);
        (await Db.TablesAsync(db.ConnectionString)).Where(t => t != "schema_migrations").Should().BeEmpty("nothing runs while a problem is there");
        (await HistoryAsync(db)).Should().BeEmpty();
    }

    private static async Task<List<(long Version, string Description)>> HistoryAsync(ThrowawayDatabase db)
    {
        if (!await Db.ScalarAsync<bool>(db.ConnectionString, "SELECT to_regclass('public.schema_migrations') IS NOT NULL"))
        {
            return [];
        }

        await using var connection = new Npgsql.NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT version, description FROM public.schema_migrations ORDER BY version", connection);
        await using Npgsql.NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    private static TestCaseData Applies(string name, Action<HostileFolder> arrange, params (long Version, string Description)[] applied) =>
        new TestCaseData(arrange, new Outcome(null, string.Empty, null, null, applied)).SetName(name + ": applies");

    private static TestCaseData Refused(string name, Action<HostileFolder> arrange, ValidationCode code, string messageContains, int? line = null, int? column = null) =>
        new TestCaseData(arrange, new Outcome(code, messageContains, line, column, [])).SetName(name + $": refused ({code})");

    private static void MakeFifo(string path)
    {
        ChildResult mkfifo = ChildProcess.RunAsync(new System.Diagnostics.ProcessStartInfo("mkfifo", [path]), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        mkfifo.ExitCode.Should().Be(0, mkfifo.ToString());
    }

    /// <summary>What a case must do: apply these versions, or be refused with this code and message.</summary>
    public sealed record Outcome(ValidationCode? Refusal, string MessageContains, int? Line, int? Column, (long Version, string Description)[] Applied);
}
