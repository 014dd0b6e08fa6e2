using MigrationKit.Testing;
using MigrationKit.IntegrationTests;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Running;

[Parallelizable(ParallelScope.All)]
public sealed class ProcessKillTests
{
    [Test]
    public async Task A_process_killed_in_a_long_transactional_migration_leaves_nothing_half_applied_dirty_or_locked()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_a", "CREATE TABLE a (id int);")
            .Up(2, "long_one", "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nSELECT pg_sleep(60);\nCREATE TABLE other_half (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using (var child = ChildProcess.Start(db.ConnectionString, folder.Path, "up"))
        {
            await child.Ready.WaitAsync(TimeSpan.FromSeconds(30));
            await ConcurrencyTests.WaitUntilAsync(
                () => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"),
                n => n > 0);

            child.KillHard();
            await child.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        // The server notices the dead client (client_connection_check_interval) and rolls back.
        await ConcurrencyTests.WaitUntilAsync(
            () => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"),
            n => n == 0,
            timeoutSeconds: 15);
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("a", "schema_migrations");
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).Should().Be(0);

        folder.Up(2, "long_one", "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nCREATE TABLE other_half (id int);");
        MigrationReport report = await Runners.For(db, folder.Path, o => o.LockTimeout = TimeSpan.FromSeconds(5)).UpAsync();
        report.Executed.Select(e => e.Version).Should().Equal(2);
    }
}
