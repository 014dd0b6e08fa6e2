using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MigrationKit.IntegrationTests.Support;
using Npgsql;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>Every wrong option fails start-up, before anything touches the database, with a message that names it.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class OptionsValidationTests
{
    private const string UnusedConnection = "Host=127.0.0.1;Port=1;Database=none;Username=nobody";

    [Test]
    public async Task No_connection_string_and_no_NpgsqlDataSource_fails_start_up_naming_ConnectionString()
    {
        string message = await StartFailureAsync(b => b.Services.AddMigrations().FromDirectory(MigrationFolder.PlannerMigrations));

        message.Should().Contain("MigrationOptions.ConnectionString").And.Contain("NpgsqlDataSource");
    }

    [Test]
    public async Task An_empty_table_name_fails_start_up_naming_TableName()
    {
        string message = await StartFailureAsync(b => b.Services.AddMigrations(o =>
        {
            o.ConnectionString = UnusedConnection;
            o.TableName = "";
        }).FromDirectory(MigrationFolder.PlannerMigrations));

        message.Should().Contain("TableName");
    }

    [Test]
    public async Task An_empty_schema_fails_start_up_naming_Schema()
    {
        string message = await StartFailureAsync(b => b.Services.AddMigrations(o =>
        {
            o.ConnectionString = UnusedConnection;
            o.Schema = "";
        }).FromDirectory(MigrationFolder.PlannerMigrations));

        message.Should().Contain("Schema");
    }

    [TestCase(nameof(MigrationOptions.LockTimeout))]
    [TestCase(nameof(MigrationOptions.StatementTimeout))]
    [TestCase(nameof(MigrationOptions.DdlLockTimeout))]
    [TestCase(nameof(MigrationOptions.StartupConnectRetry))]
    public async Task A_negative_timeout_fails_start_up_naming_it(string option)
    {
        TimeSpan negative = TimeSpan.FromSeconds(-1);
        string message = await StartFailureAsync(b => b.Services.AddMigrations(o =>
        {
            o.ConnectionString = UnusedConnection;
            switch (option)
            {
                case nameof(MigrationOptions.LockTimeout): o.LockTimeout = negative; break;
                case nameof(MigrationOptions.StatementTimeout): o.StatementTimeout = negative; break;
                case nameof(MigrationOptions.DdlLockTimeout): o.DdlLockTimeout = negative; break;
                default: o.StartupConnectRetry = negative; break;
            }
        }).FromDirectory(MigrationFolder.PlannerMigrations));

        message.Should().Contain(option).And.Contain("-00:00:01");
    }

    [Test]
    public async Task No_migration_source_fails_start_up_naming_the_methods_that_add_one()
    {
        string message = await StartFailureAsync(b => b.Services.AddMigrations(o => o.ConnectionString = UnusedConnection));

        message.Should().Contain("No migration source").And.Contain("FromDirectory").And.Contain("FromEmbeddedResources");
    }

    [Test]
    public async Task Every_problem_is_reported_at_once()
    {
        string message = await StartFailureAsync(b => b.Services.AddMigrations(o =>
        {
            o.TableName = "";
            o.LockTimeout = TimeSpan.Zero;
            o.DdlLockRetries = -1;
        }));

        message.Should().Contain("ConnectionString").And.Contain("TableName").And.Contain("LockTimeout")
            .And.Contain("DdlLockRetries").And.Contain("No migration source");
    }

    [Test]
    public async Task Invalid_options_fail_start_up_even_with_MigrateOnStartup_false()
    {
        string message = await StartFailureAsync(b => b.Services.AddMigrations(o =>
        {
            o.ConnectionString = UnusedConnection;
            o.MigrateOnStartup = false;
            o.TableName = "";
        }).FromDirectory(MigrationFolder.PlannerMigrations));

        message.Should().Contain("TableName");
    }

    [Test]
    public async Task A_registered_NpgsqlDataSource_stands_in_for_the_connection_string()
    {
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(UnusedConnection);
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddMigrations(o => o.MigrateOnStartup = false).FromDirectory(MigrationFolder.PlannerMigrations);
        using IHost host = builder.Build();

        Func<Task> start = () => host.StartAsync();

        await start.Should().NotThrowAsync();
        await host.StopAsync();
    }

    /// <summary>Starts a host that must fail validation; returns the message, after checking nothing was migrated.</summary>
    private static async Task<string> StartFailureAsync(Action<HostApplicationBuilder> configure)
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        configure(builder);
        using IHost host = builder.Build();

        Func<Task> start = () => host.StartAsync();

        OptionsValidationException failure = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.OptionsType.Should().Be<MigrationOptions>();
        host.Events(MigrationEventIds.StartupMigrating).Should().BeEmpty("validation fails before the migration starts");
        return failure.Message;
    }
}
