using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Sources;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Running;

[Parallelizable(ParallelScope.All)]
public sealed class LockWaitTests
{
    [Test]
    public async Task A_runner_that_waited_for_the_lock_finds_the_work_done_from_names_alone()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_a", "CREATE TABLE a (id int);")
            .Up(2, "create_b", "CREATE TABLE b (id int);");
        IReadOnlyList<Migration> migrations = await new FileSystemMigrationSource(folder.Path).LoadAsync();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        MigrationOptions options = Runners.Options(db);
        await using IMigrationStoreSession holder = await new PostgresMigrationStore(options).OpenSessionAsync();
        await holder.AcquireLockAsync();
        await holder.PrepareHistoryAsync(migrations);

        // A script that can no longer be read: a runner that read the scripts would fail on it.
        File.WriteAllBytes(Path.Combine(folder.Path, "002_create_b.up.sql"), [0xC3, 0x28]);
        Task<MigrationReport> waiter = Runners.For(db, folder.Path).UpAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!waiter.IsCompleted && await Db.ScalarAsync<long>(db.ConnectionString,
            "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND (query LIKE '%pg_try_advisory_lock%' OR query LIKE 'LISTEN%')") == 0)
        {
            // The holder's last statement read the history: a backend whose last statement tried the lock is the waiter.
            await Task.Delay(10, deadline.Token);
        }

        foreach (Migration migration in migrations)
        {
            await holder.ApplyAsync(new PlannedMigration(migration, MigrationDirection.Up));
        }

        await holder.ReleaseLockAsync();
        MigrationReport report = await waiter.WaitAsync(deadline.Token);

        report.Executed.Should().BeEmpty();
        report.EndVersion.Should().Be(2);
    }
}
