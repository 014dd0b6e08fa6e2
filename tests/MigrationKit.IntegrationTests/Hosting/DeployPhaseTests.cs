using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>
/// Deploy phases: the host's start-up applies the pre-deployment migrations only, a pending post-deployment migration
/// does not hold back a newer pre-deployment one, and status and health show it as waiting for the rollout.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class DeployPhaseTests
{
    private static MigrationFolder Folder() => new MigrationFolder()
        .Up(1, "create_items", "CREATE TABLE items (id int, legacy text);")
        .Up(2, "drop_legacy", "-- migrationkit:phase post\nALTER TABLE items DROP COLUMN legacy;")
        .Up(3, "add_price", "ALTER TABLE items ADD COLUMN price numeric;");

    private static IHost Build(string connectionString, string folder)
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = connectionString).FromDirectory(folder);
        builder.Services.AddHealthChecks().AddMigrations();
        return builder.Build();
    }

    [Test]
    public async Task A_host_start_skips_a_post_migration_and_applies_a_newer_pre_one_then_up_post_applies_it()
    {
        using MigrationFolder folder = Folder();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using IHost host = Build(db.ConnectionString, folder.Path);

        await host.StartAsync();
        List<(long Version, bool Dirty)> afterStart = await Db.HistoryAsync(db.ConnectionString);
        HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        MigrationStatus status = await host.Services.GetRequiredService<IMigrationRunner>().GetStatusAsync();
        await host.StopAsync();

        afterStart.Select(h => h.Version).Should().Equal([1L, 3L], "the post migration waits for the rollout; the newer pre migration does not wait for it");
        health.Entries["migrations"].Status.Should().Be(HealthStatus.Healthy);
        health.Entries["migrations"].Description.Should().Contain("1 post-deployment migration(s) wait for the rollout");
        status.PendingPostDeployment.Select(p => p.Version).Should().Equal(2);

        MigrationReport post = await Runners.For(db, folder.Path).UpAsync(MigrationPhase.Post);

        post.Executed.Select(e => e.Version).Should().Equal(2);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'legacy'")).Should().Be(0);
    }

    [Test]
    public async Task A_second_start_with_only_a_post_migration_pending_takes_no_lock_and_applies_nothing()
    {
        using MigrationFolder folder = Folder();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(MigrationPhase.Pre);

        MigrationReport again = await Runners.For(db, folder.Path).UpAsync(MigrationPhase.Pre);

        again.Executed.Should().BeEmpty();
        again.EndVersion.Should().Be(3);
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(1, 3);
    }
}
