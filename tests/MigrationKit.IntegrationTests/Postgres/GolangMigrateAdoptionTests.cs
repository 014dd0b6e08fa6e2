using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Postgres;

[Parallelizable(ParallelScope.All)]
public sealed class GolangMigrateAdoptionTests
{
    [Test]
    public async Task A_database_left_by_golang_migrate_at_version_4_is_adopted_and_up_continues_at_5()
    {
        using var folder = MigrationFolder.GolangMigrateStylePlanner();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        // What golang-migrate leaves: the first four scripts' effects and its two-column table.
        foreach (string file in Directory.GetFiles(folder.Path, "*.up.sql").Where(f => Path.GetFileName(f)[..3] is "001" or "002" or "003" or "004").Order())
        {
            await Db.ExecuteAsync(db.ConnectionString, File.ReadAllText(file));
        }

        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (4, false);");
        var runner = Runners.For(db, folder.Path);

        MigrationReport report = await runner.UpAsync();

        report.StartVersion.Should().Be(4);
        report.Executed.Select(e => e.Version).Should().Equal(5, 6, 7, 8, 9, 10);
        MigrationStatus status = await runner.GetStatusAsync();
        status.Entries.Should().OnlyContain(e => e.State == MigrationState.Applied);
        status.Applied.Take(4).Should().OnlyContain(a => a.Checksum != null, "adopted versions get the current checksums");
        (await runner.ValidateAsync()).IsValid.Should().BeTrue();
    }

    [Test]
    public async Task A_dirty_golang_migrate_database_is_refused_before_adoption_and_force_adopts_it_clean()
    {
        using var folder = new MigrationFolder()
            .Up(1, "a", "CREATE TABLE a (id int);")
            .Up(2, "b", "CREATE TABLE b (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE a (id int); CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, true);");
        var runner = Runners.For(db, folder.Path);

        Func<Task> up = () => runner.UpAsync();

        (await up.Should().ThrowAsync<DirtyDatabaseException>()).Which.Version.Should().Be(2);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal([(2L, true)], "a refused up leaves golang-migrate's table exactly as it was");
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations'")).Should().Be(2);

        await runner.ForceAsync(1);

        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
    }

    [Test]
    public async Task A_golang_migrate_table_at_the_sources_only_version_is_adopted_although_nothing_is_pending()
    {
        // The start-up check reads versions and dirty flags only; golang-migrate's table has both columns, and
        // must still be taken for what it is, not for an up-to-date history.
        using var folder = new MigrationFolder().Up(1, "a", "CREATE TABLE a (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE a (id int); CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (1, false);");
        var runner = Runners.For(db, folder.Path);

        MigrationReport report = await runner.UpAsync();

        report.Executed.Should().BeEmpty();
        MigrationStatus status = await runner.GetStatusAsync();
        status.Applied.Should().ContainSingle().Which.Checksum.Should().NotBeNull("the table was adopted and the version recorded with its checksum");
    }
}
