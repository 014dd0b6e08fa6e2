using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// Schema and table names of the history table that would break SQL built by concatenation (quotes, semicolons and a
/// DROP, unicode, dollar quotes, backslashes, newlines, comment markers, 63 bytes of UTF-8): each is quoted, never
/// executed: created, migrated up, down and up, and found under exactly its name, with the table a DROP in the name
/// aims at untouched. A name PostgreSQL would truncate is refused before anything is sent. The cases that came from
/// the hostile-input suite keep its categories, <c>Faults</c> and <c>Hostile</c>.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class HostileNameTests
{
    [TestCase("we\"ird; DROP TABLE victim; --", "history", TestName = "a quote, a semicolon and a DROP in the schema name")]
    [TestCase("public", "t\"; DROP TABLE victim; --", TestName = "a quote, a semicolon and a DROP in the table name")]
    [TestCase("schéma ünicode", "历史", TestName = "unicode in both names")]
    [TestCase("$$ dollar $$", "t$1", TestName = "dollar quotes and a parameter marker", Category = "Faults,Hostile")]
    [TestCase("back\\slash", "E'\\x27'", TestName = "backslashes and an E-string", Category = "Faults,Hostile")]
    [TestCase("line\nbreak", "tab\there", TestName = "a newline and a tab", Category = "Faults,Hostile")]
    [TestCase("\"\"\"", "--", TestName = "only quotes, and a comment marker", Category = "Faults,Hostile")]
    [TestCase("表表表表表表表表表表表表表表表表表表表表表", "ü", TestName = "63 bytes of UTF-8, the longest name PostgreSQL keeps", Category = "Faults,Hostile")]
    [TestCase("public", "/* open", TestName = "an unterminated comment as the table name", Category = "Faults,Hostile")]
    public async Task A_history_table_under_a_hostile_name_is_quoted_never_executed_and_used_under_exactly_that_name(string schema, string table)
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

        (await Db.TablesAsync(db.ConnectionString, schema)).Should().Contain(table);
        (await Db.ScalarAsync<long>(
            db.ConnectionString,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            schema,
            table)).Should().Be(1, "the table has exactly the name given");
        (await Db.TablesAsync(db.ConnectionString)).Should().Contain("victim");
        MigrationStatus status = await runner.GetStatusAsync();
        status.CurrentVersion.Should().Be(1);
    }

    [Test]
    [Category("Faults")]
    [Category("Hostile")]
    public void A_name_longer_than_63_bytes_is_refused_naming_the_option_before_anything_is_sent()
    {
        string tooLong = new('ü', 32); // 64 bytes: PostgreSQL would silently cut it to 63
        var options = new MigrationOptions { ConnectionString = "Host=127.0.0.1;Port=1", TableName = tooLong };

        Action create = () => _ = new PostgresMigrationStore(options);

        create.Should().Throw<ArgumentException>().WithMessage("*TableName*63 bytes*");
    }
}
