using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>The <c>migrations</c> health check: healthy when current, degraded while running or pending, unhealthy when dirty or failed.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class HealthCheckTests
{
    [Test]
    public async Task After_the_start_up_migration_the_check_is_healthy_and_names_the_version()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using IHost host = Build(db.ConnectionString, MigrationFolder.PlannerMigrations);
        await host.StartAsync();

        HealthReportEntry entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Healthy);
        entry.Description.Should().Contain("version 10");
        await host.StopAsync();
    }

    [Test]
    public async Task Without_a_start_up_migration_pending_migrations_are_degraded_until_the_runner_applies_them()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using IHost host = Build(db.ConnectionString, MigrationFolder.PlannerMigrations, o => o.MigrateOnStartup = false);
        await host.StartAsync();

        HealthReportEntry before = await CheckAsync(host);
        await host.Services.GetRequiredService<IMigrationRunner>().UpAsync();
        HealthReportEntry after = await CheckAsync(host);

        before.Status.Should().Be(HealthStatus.Degraded);
        before.Description.Should().Contain("10 migration(s) pending");
        after.Status.Should().Be(HealthStatus.Healthy);
        await host.StopAsync();
    }

    [Test]
    public async Task A_database_made_dirty_after_start_up_turns_the_check_unhealthy()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using IHost host = Build(db.ConnectionString, MigrationFolder.PlannerMigrations);
        await host.StartAsync();
        await Db.ExecuteAsync(db.ConnectionString, "UPDATE schema_migrations SET dirty = true WHERE version = 10");

        HealthReportEntry entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Description.Should().Contain("dirty at version 10").And.Contain("force");
        await host.StopAsync();
    }

    [Test]
    public async Task A_failed_start_up_migration_is_unhealthy_with_its_error()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var folder = new MigrationFolder().Up(1, "broken", "CREATE TABLE t (id int);\nSELECT * FROM nowhere;\n");
        using IHost host = Build(db.ConnectionString, folder.Path);
        Func<Task> start = () => host.StartAsync();
        await start.Should().ThrowAsync<MigrationFailedException>();

        HealthReportEntry entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Description.Should().Contain("start-up migration failed").And.Contain("001_broken.up.sql:2");
        entry.Exception.Should().BeOfType<MigrationFailedException>();
    }

    [Test]
    public async Task While_the_start_up_migration_runs_the_check_is_degraded()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var folder = new MigrationFolder().Up(1, "waits", "SELECT pg_advisory_xact_lock(4343);\nCREATE TABLE t (id int);\n");
        await using var blocker = new NpgsqlConnection(db.ConnectionString);
        await blocker.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(4343)", blocker))
        {
            await take.ExecuteNonQueryAsync();
        }

        using IHost host = Build(db.ConnectionString, folder.Path);
        Task start = host.StartAsync();
        await host.WaitForEventAsync(MigrationEventIds.MigrationStarting, TimeSpan.FromSeconds(30));

        HealthReportEntry during = await CheckAsync(host);
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(4343)", blocker))
        {
            await release.ExecuteNonQueryAsync();
        }

        await start;
        HealthReportEntry after = await CheckAsync(host);

        during.Status.Should().Be(HealthStatus.Degraded);
        during.Description.Should().Contain("running");
        after.Status.Should().Be(HealthStatus.Healthy);
        await host.StopAsync();
    }

    [Test]
    public async Task An_unreachable_database_is_unhealthy()
    {
        using IHost host = Build("Host=127.0.0.1;Port=1;Database=none;Username=nobody;Timeout=2", MigrationFolder.PlannerMigrations, o => o.MigrateOnStartup = false);
        await host.StartAsync();

        HealthReportEntry entry = await CheckAsync(host);

        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Description.Should().Contain("could not be read").And.Contain("127.0.0.1:1");
        await host.StopAsync();
    }

    [Test]
    public async Task The_check_takes_a_name_and_tags()
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = "Host=127.0.0.1;Port=1").FromDirectory(MigrationFolder.PlannerMigrations);
        builder.Services.AddHealthChecks().AddMigrations("schema", ["ready"]);
        using IHost host = builder.Build();

        HealthCheckRegistration registration = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>()
            .Value.Registrations.Should().ContainSingle().Subject;

        registration.Name.Should().Be("schema");
        registration.Tags.Should().Equal("ready");
        registration.FailureStatus.Should().Be(HealthStatus.Unhealthy);
    }

    private static IHost Build(string connectionString, string folder, Action<MigrationOptions>? configure = null)
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o =>
        {
            o.ConnectionString = connectionString;
            configure?.Invoke(o);
        }).FromDirectory(folder);
        builder.Services.AddHealthChecks().AddMigrations();
        return builder.Build();
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["migrations"];
    }
}
