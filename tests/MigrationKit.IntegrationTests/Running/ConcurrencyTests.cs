using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Running;

[Parallelizable(ParallelScope.All)]
public sealed class ConcurrencyTests
{
    [Test]
    public async Task Eight_runners_started_at_once_apply_every_migration_exactly_once()
    {
        // Each migration records a side effect; a migration that ran twice would leave two rows.
        using var folder = new MigrationFolder().Up(1, "create_effects", "CREATE TABLE effects (version int NOT NULL);\nINSERT INTO effects VALUES (1);");
        for (int v = 2; v <= 25; v++)
        {
            folder.Up(v, $"step_{v}", $"CREATE TABLE t{v} (id int PRIMARY KEY);\nINSERT INTO effects VALUES ({v});");
        }

        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var start = new ManualResetEventSlim();
        Task<MigrationReport>[] runs = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await Runners.For(db, folder.Path).UpAsync();
            }))
            .ToArray();
        start.Set();
        MigrationReport[] reports = await Task.WhenAll(runs);

        reports.Sum(r => r.Executed.Count).Should().Be(25, "every migration runs once across all runners");
        reports.Should().OnlyContain(r => r.EndVersion == 25);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM effects")).Should().Be(25);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(DISTINCT version) FROM effects")).Should().Be(25);
        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(25).And.OnlyContain(h => !h.Dirty);
    }

    [Test]
    public async Task Two_schemas_of_one_database_migrate_in_parallel_with_their_own_locks()
    {
        using var slow = new MigrationFolder().Up(1, "slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(3);");
        using var fast = new MigrationFolder().Up(1, "fast", "CREATE TABLE fast (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE SCHEMA a; CREATE SCHEMA b;");

        Task<MigrationReport> slowRun = Runners.For(db, slow.Path, o => { o.Schema = "a"; }).UpAsync();
        await Eventually.ReturnsAsync(() => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()"), n => n > 0, TimeSpan.FromSeconds(20), "the first runner's migration runs");

        // While schema a's runner holds its lock, schema b's runner must not wait for it.
        var fastRunner = Runners.For(db, fast.Path, o => { o.Schema = "b"; o.LockTimeout = TimeSpan.FromSeconds(1); });
        MigrationReport fastReport = await fastRunner.UpAsync();

        fastReport.Executed.Should().HaveCount(1);
        slowRun.IsCompleted.Should().BeFalse("schema a's migration is still sleeping");
        (await slowRun).Executed.Should().HaveCount(1);
    }

    [Test]
    public async Task A_runner_waiting_for_the_lock_does_not_block_the_holders_create_index_concurrently()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int, name text);\nINSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 1000) g;")
            .Up(2, "slow_marker", "SELECT pg_sleep(1.5);")
            .Up(3, "index_items", "-- migrationkit:no-transaction\nCREATE INDEX CONCURRENTLY items_name_idx ON items (name);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        Task<MigrationReport> holder = Runners.For(db, folder.Path).UpAsync();
        await Eventually.ReturnsAsync(() => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(1.5)%' AND pid <> pg_backend_pid()"), n => n > 0, TimeSpan.FromSeconds(20), "the first runner's migration runs");
        Task<MigrationReport> waiter = Runners.For(db, folder.Path, o => o.LockTimeout = TimeSpan.FromSeconds(30)).UpAsync();

        Task finished = Task.WhenAll(holder, waiter);
        Task first = await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(25)));
        first.Should().BeSameAs(finished, "a waiter polling for the lock holds no snapshot the concurrent index build would wait for");
        (await holder).Executed.Should().HaveCount(3);
        (await waiter).Executed.Should().BeEmpty();
        (await Db.ScalarAsync<bool>(db.ConnectionString, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")).Should().BeTrue();
    }
}
