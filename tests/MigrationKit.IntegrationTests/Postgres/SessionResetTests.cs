using MigrationKit.IntegrationTests.Support;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// Every migration and every history write starts from the session MigrationKit set up: what a script changes with
/// SET, SET ROLE or a timeout applies to the rest of that script and never to the next migration, so the schema does
/// not depend on how many migrations one run applies.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class SessionResetTests
{
    private static async Task<string> SchemaOfAsync(ThrowawayDatabase db, string table) =>
        await Db.ScalarAsync<string>(db.ConnectionString, "SELECT schemaname::text FROM pg_tables WHERE tablename = $1", table);

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_search_path_set_by_one_migration_does_not_reach_the_next(bool outsideTransaction)
    {
        string directive = outsideTransaction ? "-- migrationkit:no-transaction\n" : string.Empty;
        var source = new InMemoryMigrationSource()
            .Add(1, "other_schema", $"{directive}CREATE SCHEMA other;\nSET search_path = other;\nCREATE TABLE t1 (id int);\n")
            .Add(2, "next", "CREATE TABLE t2 (id int);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        await Runners.For(db, source).UpAsync();

        (await SchemaOfAsync(db, "t1")).Should().Be("other", "a script's own SET applies to the rest of that script");
        (await SchemaOfAsync(db, "t2")).Should().Be("public", "the next migration starts from the session MigrationKit set up, as it does when run alone");
    }

    [Test]
    public async Task A_role_set_by_one_migration_owns_neither_the_next_migrations_tables_nor_any_history_row()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string role = "mk_owner_" + db.Name[^8..];
        await Db.ExecuteAsync(db.ConnectionString, $"CREATE ROLE {role}; GRANT CREATE, USAGE ON SCHEMA public TO {role}");
        var source = new InMemoryMigrationSource()
            .Add(1, "as_owner", $"SET ROLE {role};\nCREATE TABLE owned (id int);\n")
            .Add(2, "next", "CREATE TABLE plain (id int);\n");
        string user = new NpgsqlConnectionStringBuilder(db.ConnectionString).Username!;

        try
        {
            await Runners.For(db, source).UpAsync();

            (await Db.ScalarAsync<string>(db.ConnectionString, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'owned'")).Should().Be(role);
            (await Db.ScalarAsync<string>(db.ConnectionString, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'plain'")).Should().Be(user);
            (await Db.ScalarAsync<long>(db.ConnectionString, $"SELECT count(*) FROM schema_migrations WHERE applied_by <> '{user}'")).Should().Be(0, "both history rows were written as the connecting user");
        }
        finally
        {
            await Db.ExecuteAsync(db.ConnectionString, $"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    [Test]
    public async Task A_statement_timeout_set_by_one_migration_does_not_cancel_the_next()
    {
        var source = new InMemoryMigrationSource()
            .Add(1, "tiny_timeout", "SET statement_timeout = 1;\nCREATE TABLE t1 (id int);\n")
            .Add(2, "slow", "SELECT pg_sleep(0.05);\nCREATE TABLE t2 (id int);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        MigrationReport report = await Runners.For(db, source).UpAsync();

        report.Executed.Should().HaveCount(2);
        (await Db.ScalarAsync<string>(db.ConnectionString, "SHOW statement_timeout")).Should().Be("0");
    }

    [Test]
    public async Task A_timeout_error_names_the_setting_its_value_and_the_script_line_that_set_it()
    {
        var source = new InMemoryMigrationSource()
            .Add(1, "short", "CREATE TABLE t1 (id int);\nSET LOCAL statement_timeout = '50ms';\nSELECT pg_sleep(2);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        Func<Task> up = () => Runners.For(db, source).UpAsync();

        (await up.Should().ThrowAsync<MigrationFailedException>()).Which.Message
            .Should().Contain("statement_timeout ('50ms', set by the script at 1_short.up.sql (in memory):2:1)");
    }

    [Test]
    public async Task A_timeout_error_from_the_options_names_the_option_and_its_value()
    {
        var source = new InMemoryMigrationSource().Add(1, "slow", "SELECT pg_sleep(2);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        Func<Task> up = () => Runners.For(db, source, o => o.StatementTimeout = TimeSpan.FromMilliseconds(100)).UpAsync();

        (await up.Should().ThrowAsync<MigrationFailedException>()).Which.Message
            .Should().Contain("statement_timeout (100 ms, StatementTimeout)");
    }
}
