using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hostile;

/// <summary>
/// Schema and table names of the history table that would break SQL built by concatenation, beyond the quote,
/// semicolon and unicode cases of Postgres/HostileNameTests: each is created, migrated up, down and up, and found
/// under exactly its name. A name PostgreSQL would truncate is refused before anything is sent.
/// </summary>
[TestFixture]
[Category("Faults")]
[Parallelizable(ParallelScope.All)]
public sealed class HostileIdentifierTests
{
    [TestCase("$$ dollar $$", "t$1", TestName = "dollar quotes and a parameter marker")]
    [TestCase("back\\slash", "E'\\x27'", TestName = "backslashes and an E-string")]
    [TestCase("line\nbreak", "tab\there", TestName = "a newline and a tab")]
    [TestCase("\"\"\"", "--", TestName = "only quotes, and a comment marker")]
    [TestCase("表表表表表表表表表表表表表表表表表表表表表", "ü", TestName = "63 bytes of UTF-8, the longest name PostgreSQL keeps")]
    [TestCase("public", "/* open", TestName = "an unterminated comment as the table name")]
    public async Task A_history_table_under_a_hostile_name_is_created_and_used_under_exactly_that_name(string schema, string table)
    {
        using var folder = new MigrationFolder().Up(1, "create_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE victim (id int);");
        var runner = Runners.For(db, folder.Path, o =>
        {
            o.Schema = schema;
            o.TableName = table;
        });

        await runner.UpAsync();
        await runner.DownAsync(1);
        await runner.UpAsync();

        (await Db.ScalarAsync<long>(
            db.ConnectionString,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            schema,
            table)).Should().Be(1, "the table has exactly the name given");
        (await Db.TablesAsync(db.ConnectionString)).Should().Contain("victim");
        (await runner.GetStatusAsync()).CurrentVersion.Should().Be(1);
    }

    [Test]
    public void A_name_longer_than_63_bytes_is_refused_naming_the_option_before_anything_is_sent()
    {
        string tooLong = new('ü', 32); // 64 bytes: PostgreSQL would silently cut it to 63
        var options = new MigrationOptions { ConnectionString = "Host=127.0.0.1;Port=1", TableName = tooLong };

        Action create = () => _ = new PostgresMigrationStore(options);

        create.Should().Throw<ArgumentException>().WithMessage("*TableName*63 bytes*");
    }
}
