using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MigrationKit.Hosting;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Hosting;

[Parallelizable(ParallelScope.All)]
public sealed class StartupMigrationTests
{
    [Test]
    public async Task A_host_migrates_in_StartAsync_and_a_hosted_service_registered_after_it_sees_the_migrated_schema_in_its_StartAsync()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString).FromDirectory(MigrationFolder.PlannerMigrations);
        var observer = new StartObserver(db.ConnectionString);
        builder.Services.AddHostedService(_ => observer);
        using IHost host = builder.Build();

        (await Db.TablesAsync(db.ConnectionString)).Should().BeEmpty("nothing runs before StartAsync");
        await host.StartAsync();

        observer.Tables.Should().Contain(["projects", "tasks", "steps", "disputes", "audit_logs", "schema_migrations"]);
        host.Events(MigrationEventIds.StartupMigrated).Should().ContainSingle().Which.Message.Should().Contain("version 10").And.Contain("10 migration(s)");
        await host.StopAsync();
    }

    [Test]
    public async Task A_lifecycle_service_registered_after_AddMigrations_sees_the_migrated_schema_in_its_StartingAsync()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString).FromDirectory(MigrationFolder.PlannerMigrations);
        var observer = new StartingObserver(db.ConnectionString);
        builder.Services.AddHostedService(_ => observer);
        using IHost host = builder.Build();

        await host.StartAsync();

        observer.VersionWhenStarting.Should().Be(10, "every StartingAsync runs in registration order, the migration's first");
        await host.StopAsync();
    }

    [Test]
    public async Task MigrateOnStartup_false_leaves_the_database_alone_and_the_runner_migrates_on_demand()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o =>
        {
            o.ConnectionString = db.ConnectionString;
            o.MigrateOnStartup = false;
        }).FromDirectory(MigrationFolder.PlannerMigrations);
        using IHost host = builder.Build();

        await host.StartAsync();

        (await Db.TablesAsync(db.ConnectionString)).Should().BeEmpty("not even the history table is created");
        host.Events(MigrationEventIds.StartupMigrationDisabled).Should().ContainSingle();
        host.Events(MigrationEventIds.StartupMigrating).Should().BeEmpty();

        MigrationReport report = await host.Services.GetRequiredService<IMigrationRunner>().UpAsync();
        report.EndVersion.Should().Be(10);
        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10);
        await host.StopAsync();
    }

    [Test]
    public async Task Options_bound_from_a_configuration_section_are_used()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Migrations:ConnectionString"] = db.ConnectionString,
            ["Migrations:Schema"] = "planner",
            ["Migrations:TableName"] = "history",
            ["Migrations:LockTimeout"] = "00:00:45",
            ["Migrations:StartupConnectRetry"] = "00:00:05",
            ["Migrations:OutOfOrder"] = "Apply",
        });
        builder.Services.AddMigrations(builder.Configuration.GetSection("Migrations")).FromDirectory(MigrationFolder.PlannerMigrations);
        using IHost host = builder.Build();

        MigrationOptions options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MigrationOptions>>().Value;
        options.LockTimeout.Should().Be(TimeSpan.FromSeconds(45));
        options.StartupConnectRetry.Should().Be(TimeSpan.FromSeconds(5));
        options.OutOfOrder.Should().Be(OutOfOrderPolicy.Apply);
        await host.StartAsync();

        (await Db.HistoryAsync(db.ConnectionString, "\"planner\".\"history\"")).Should().HaveCount(10);
        await host.StopAsync();
    }

    [Test]
    public async Task With_no_connection_string_the_NpgsqlDataSource_registered_in_DI_is_used()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var appName = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "planner-data-source" };
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(appName.ConnectionString);
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddMigrations().FromDirectory(MigrationFolder.PlannerMigrations);
        using IHost host = builder.Build();

        await host.StartAsync();

        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10);
        host.Services.GetRequiredService<IMigrationStore>().Should().BeOfType<PostgresMigrationStore>();
        await host.StopAsync();
    }

    [Test]
    public async Task Sources_added_together_are_read_as_one_and_FromSource_takes_code_defined_migrations()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var extra = new InMemoryMigrationSource().Add(11, "add_labels", "CREATE TABLE labels (id int PRIMARY KEY);", "DROP TABLE labels;");
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString)
            .FromDirectory(MigrationFolder.PlannerMigrations)
            .FromSource(extra);
        using IHost host = builder.Build();

        await host.StartAsync();

        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        (await Db.TablesAsync(db.ConnectionString)).Should().Contain("labels");
        await host.StopAsync();
    }

    [Test]
    public async Task FromEmbeddedResources_reads_the_Planner_assembly()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString)
            .FromEmbeddedResources(typeof(Program).Assembly, "Migrations");
        using IHost host = builder.Build();

        await host.StartAsync();

        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10);
        await host.StopAsync();
    }

    [Test]
    public async Task Calling_AddMigrations_twice_registers_one_runner_and_one_hosted_service()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString).FromDirectory(MigrationFolder.PlannerMigrations);
        builder.Services.AddMigrations(o => o.LockTimeout = TimeSpan.FromSeconds(7));
        using IHost host = builder.Build();

        host.Services.GetServices<IHostedService>().OfType<MigrationHostedService>().Should().ContainSingle();
        host.Services.GetServices<IMigrationRunner>().Should().ContainSingle();
        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MigrationOptions>>().Value.LockTimeout.Should().Be(TimeSpan.FromSeconds(7));
        await host.StartAsync();

        host.Events(MigrationEventIds.StartupMigrating).Should().ContainSingle("the database is migrated once");
        await host.StopAsync();
    }

    [Test]
    public async Task UseStore_replaces_the_PostgreSQL_store()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var options = new MigrationOptions { ConnectionString = db.ConnectionString, TableName = "custom_history" };
        var store = new PostgresMigrationStore(options);
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString)
            .FromDirectory(MigrationFolder.PlannerMigrations)
            .UseStore(store);
        using IHost host = builder.Build();

        host.Services.GetRequiredService<IMigrationStore>().Should().BeSameAs(store);
        await host.StartAsync();

        (await Db.HistoryAsync(db.ConnectionString, "\"public\".\"custom_history\"")).Should().HaveCount(10);
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("schema_migrations");
        await host.StopAsync();
    }

    [Test]
    public async Task A_second_start_with_nothing_pending_runs_nothing()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        for (int start = 1; start <= 2; start++)
        {
            HostApplicationBuilder builder = TestHosts.Builder();
            builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString).FromDirectory(MigrationFolder.PlannerMigrations);
            using IHost host = builder.Build();
            await host.StartAsync();

            host.Events(MigrationEventIds.StartupMigrated).Should().ContainSingle().Which.Message.Should().Contain(start == 1 ? "10 migration(s)" : "0 migration(s)");
            await host.StopAsync();
        }
    }

    [Test]
    public async Task Start_up_log_events_have_stable_ids_and_names()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString).FromDirectory(MigrationFolder.PlannerMigrations);
        using IHost host = builder.Build();

        await host.StartAsync();

        var events = host.Logs().GetSnapshot()
            .Where(r => r.Category == "MigrationKit.Hosting.MigrationHostedService")
            .Select(r => (r.Id.Id, r.Id.Name))
            .ToList();
        events.Should().Equal((5000, "StartupMigrating"), (5001, "StartupMigrated"));
        host.Logs().GetSnapshot().Should().Contain(r => r.Id.Id == MigrationEventIds.MigrationApplied && r.Id.Name == "MigrationApplied");
        host.Logs().GetSnapshot().Should().NotContain(r => r.Message.Contains(db.ConnectionString, StringComparison.Ordinal));
        await host.StopAsync();
    }

    /// <summary>A plain hosted service: records the tables it finds when the host starts it.</summary>
    private sealed class StartObserver(string connectionString) : IHostedService
    {
        public List<string> Tables { get; private set; } = [];

        public async Task StartAsync(CancellationToken cancellationToken) => Tables = await Db.TablesAsync(connectionString);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Records the newest applied version when the host calls its StartingAsync (-1: no history table).</summary>
    private sealed class StartingObserver(string connectionString) : IHostedLifecycleService
    {
        public long VersionWhenStarting { get; private set; } = -2;

        public async Task StartingAsync(CancellationToken cancellationToken) =>
            VersionWhenStarting = (await Db.TablesAsync(connectionString)).Contains("schema_migrations")
                ? await Db.ScalarAsync<long>(connectionString, "SELECT coalesce(max(version), 0) FROM schema_migrations")
                : -1;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
