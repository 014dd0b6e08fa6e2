using MigrationKit.Testing;
using MigrationKit.IntegrationTests;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Postgres;

[Parallelizable(ParallelScope.All)]
public sealed class HostileNameTests
{
    [TestCase("we\"ird; DROP TABLE victim; --", "history")]
    [TestCase("public", "t\"; DROP TABLE victim; --")]
    [TestCase("schéma ünicode", "历史")]
    public async Task Schema_and_table_names_are_quoted_never_executed(string schema, string table)
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
        (await Db.TablesAsync(db.ConnectionString)).Should().Contain("victim");
        MigrationStatus status = await runner.GetStatusAsync();
        status.CurrentVersion.Should().Be(1);
    }
}
