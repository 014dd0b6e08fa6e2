using System.Globalization;
using System.Text;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Sources;

/// <summary>
/// A 50 MB script of generated INSERTs applies (the engine sends it in batches of at most 1 MB or 1000 statements, all
/// inside one transaction), and a multi-batch script that fails in its last statement leaves nothing of its earlier
/// batches.
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Hostile")]
[Parallelizable(ParallelScope.All)]
public sealed class LargeScriptTests
{
    private const int RowsPerInsert = 100;

    [Test]
    public async Task A_50_MB_script_of_generated_inserts_applies_whole()
    {
        using var folder = new HostileFolder();
        (long bytes, int rows, long payload) = WriteInserts(Path.Combine(folder.Path, "1_seed.up.sql"), targetBytes: 50L * 1024 * 1024, failAtEnd: false);
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        MigrationReport report = await Runners.For(db, folder.Path).UpAsync();

        bytes.Should().BeGreaterThanOrEqualTo(50L * 1024 * 1024);
        report.Executed.Should().ContainSingle().Which.RanOutsideTransaction.Should().BeFalse();
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM seed")).Should().Be(rows);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT sum(length(payload)) FROM seed")).Should().Be(payload, "every row arrived intact");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
        TestContext.Out.WriteLine($"{bytes / 1024.0 / 1024.0:0.0} MB, {rows} rows in {report.Executed[0].Duration.TotalSeconds:0.0} s");
    }

    [Test]
    public async Task A_script_sent_in_several_batches_that_fails_in_its_last_statement_leaves_nothing_of_the_earlier_batches()
    {
        using var folder = new HostileFolder();
        (long bytes, _, _) = WriteInserts(Path.Combine(folder.Path, "1_seed.up.sql"), targetBytes: 3L * 1024 * 1024, failAtEnd: true);
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        MigrationFailedException failure = (await FluentActions.Awaiting(() => Runners.For(db, folder.Path).UpAsync()).Should().ThrowAsync<MigrationFailedException>()).Which;

        bytes.Should().BeGreaterThan(2L * 1024 * 1024, "at least three batches of 1 MB");
        failure.SqlState.Should().Be("22012", "the last statement divides by zero");
        failure.Message.Should().Contain("Nothing of it was applied");
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("seed", "the earlier batches were in the same transaction");
        (await Db.HistoryAsync(db.ConnectionString)).Should().BeEmpty();
    }

    /// <summary>CREATE TABLE, then INSERTs of 100 rows each, with quotes, semicolons and unicode in the strings, until the file is as big as asked.</summary>
    private static (long Bytes, int Rows, long PayloadCharacters) WriteInserts(string path, long targetBytes, bool failAtEnd)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
        writer.Write("CREATE TABLE seed (id bigint PRIMARY KEY, payload text NOT NULL);\n");
        long bytes = 0;
        int rows = 0;
        long payload = 0;
        var line = new StringBuilder(16 * 1024);
        while (bytes < targetBytes)
        {
            line.Clear().Append("INSERT INTO seed (id, payload) VALUES\n");
            for (int i = 0; i < RowsPerInsert; i++)
            {
                rows++;
                string text = string.Create(CultureInfo.InvariantCulture, $"row {rows}; it''s ünïcödé -- not a comment /* nor this */ $$ {new string('x', rows % 50)}");
                payload += text.Length - 1; // '' is one character once parsed
                line.Append(CultureInfo.InvariantCulture, $"  ({rows}, '{text}')").Append(i < RowsPerInsert - 1 ? ",\n" : ";\n");
            }

            writer.Write(line);
            bytes += Encoding.UTF8.GetByteCount(line.ToString());
        }

        if (failAtEnd)
        {
            writer.Write("SELECT 1 / 0;\n");
        }

        return (bytes, rows, payload);
    }
}
