using System.Diagnostics;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// <c>COPY … FROM stdin</c> with its data lines, what pg_dump writes and seed files hold, runs as part of a migration:
/// in its transaction, with a bad row reported at its line in the file.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class CopyMigrationTests
{
    private const string Seed = """
        CREATE TABLE people (id int PRIMARY KEY, name text, note text);
        COPY people (id, name, note) FROM stdin;
        1	Ann	\N
        2	Bob	tab\there; and a semicolon
        3	Zoë	"quoted" \\ backslash
        \.
        UPDATE people SET note = 'updated' WHERE id = 1;
        """;

    [Test]
    public async Task A_copy_block_in_a_transactional_migration_loads_its_rows_and_the_statements_after_it_run()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource().Add(1, "seed_people", Seed);

        MigrationReport report = await Runners.For(db, source).UpAsync();

        report.Executed.Should().ContainSingle().Which.RanOutsideTransaction.Should().BeFalse();
        (await Db.ScalarAsync<string>(db.ConnectionString, "SELECT string_agg(id || ':' || name || ':' || coalesce(note, 'NULL'), '|' ORDER BY id) FROM people"))
            .Should().Be("1:Ann:updated|2:Bob:tab\there; and a semicolon|3:Zoë:\"quoted\" \\ backslash");
    }

    [Test]
    public async Task A_failure_after_a_copy_rolls_the_copied_rows_back_with_the_rest_of_the_migration()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource().Add(1, "seed_then_fail", Seed + "\nSELECT 1 / 0;\n");

        Func<Task> up = () => Runners.For(db, source).UpAsync();

        (await up.Should().ThrowAsync<MigrationFailedException>()).Which.Line.Should().Be(8);
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("people");
    }

    [Test]
    public async Task A_bad_row_is_reported_at_its_line_in_the_file()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource().Add(1, "bad_row", """
            CREATE TABLE counts (n int);
            COPY counts FROM stdin;
            1
            2
            three
            \.
            """);

        Func<Task> up = () => Runners.For(db, source).UpAsync();

        MigrationFailedException failure = (await up.Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.Line.Should().Be(5);
        failure.SqlState.Should().Be(PostgresErrorCodes.InvalidTextRepresentation);
        failure.Message.Should().Contain("1_bad_row.up.sql (in memory):5");
    }

    [Test]
    public async Task A_copy_block_in_a_migration_outside_a_transaction_runs_too()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource().Add(1, "seed_outside", "-- migrationkit:no-transaction\n" + Seed);

        MigrationReport report = await Runners.For(db, source).UpAsync();

        report.Executed.Should().ContainSingle().Which.RanOutsideTransaction.Should().BeTrue();
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM people")).Should().Be(3);
    }

    [Test]
    public async Task A_data_block_without_its_end_marker_is_refused_before_anything_runs_with_its_line()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource().Add(1, "unterminated", "CREATE TABLE t (n int);\nCOPY t FROM stdin;\n1\n2\n");

        Func<Task> up = () => Runners.For(db, source).UpAsync();

        (await up.Should().ThrowAsync<MigrationValidationException>()).Which.Problems
            .Should().ContainSingle(p => p.Code == ValidationCode.SyntaxError && p.Line == 2);
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("t");
    }

    [Test]
    public async Task The_output_of_pg_dump_data_only_runs_as_a_seed_migration()
    {
        string? pgDump = new[] { "/usr/lib/postgresql/15/bin/pg_dump", "/usr/bin/pg_dump" }.FirstOrDefault(File.Exists);
        if (pgDump is null)
        {
            Assert.Ignore("pg_dump is not on this machine.");
        }

        await using ThrowawayDatabase origin = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(origin.ConnectionString, """
            CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, tags text[], seen timestamptz, doc jsonb);
            INSERT INTO items VALUES
              (1, E'line\nbreak', 9.99, ARRAY['a','b c'], '2026-01-02 03:04:05+00', '{"k": "v\"q"}'),
              (2, NULL, NULL, NULL, NULL, NULL),
              (3, E'tab\there \\ backslash', 0, '{}', '1999-12-31 23:59:59+00', '[1, 2]');
            """);
        var builder = new NpgsqlConnectionStringBuilder(origin.ConnectionString);
        var start = new ProcessStartInfo(pgDump, ["--data-only", "--table=items", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, origin.Name]);
        ChildResult dump = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(1), new ChildProcessOptions { Name = "pg_dump" });
        dump.ExitCode.Should().Be(0, dump.Error);
        string data = dump.Out;

        await using ThrowawayDatabase target = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource()
            .Add(1, "create_items", "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, tags text[], seen timestamptz, doc jsonb);")
            .Add(2, "seed_items", data);
        await Runners.For(target, source).UpAsync();

        const string Rows = "SELECT string_agg(to_jsonb(i)::text, '|' ORDER BY id) FROM items i";
        (await Db.ScalarAsync<string>(target.ConnectionString, Rows)).Should().Be(await Db.ScalarAsync<string>(origin.ConnectionString, Rows));
    }
}
