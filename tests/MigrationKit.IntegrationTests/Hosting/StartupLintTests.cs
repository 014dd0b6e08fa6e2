using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Linting;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>At start-up the host logs the lint findings of the migrations it is about to apply, and refuses only when configured to.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class StartupLintTests
{
    private const int LintFindingEvent = MigrationEventIds.LintFinding;

    private static MigrationFolder Folder() => new MigrationFolder()
        .Up(1, "create_tasks", "CREATE TABLE tasks (id int, project int);\nCREATE INDEX ix_new ON tasks (id);")
        .Up(2, "index_tasks", "CREATE INDEX ix_tasks_project ON tasks (project);");

    [Test]
    public async Task The_findings_of_the_pending_migrations_are_logged_and_the_start_goes_ahead()
    {
        using MigrationFolder folder = Folder();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(1);
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o => o.ConnectionString = db.ConnectionString).FromDirectory(folder.Path);
        using IHost host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        host.Events(LintFindingEvent).Should().ContainSingle()
            .Which.Message.Should().Contain("002_index_tasks.up.sql:1:1: warning blocking-index-build");
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(1, 2);
    }

    [Test]
    public async Task A_rule_configured_as_an_error_refuses_the_start_before_anything_is_written()
    {
        using MigrationFolder folder = Folder();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(1);
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o =>
        {
            o.ConnectionString = db.ConnectionString;
            o.Lint.Rules[LintRuleIds.BlockingIndexBuild] = LintSeverity.Error;
        }).FromDirectory(folder.Path);
        using IHost host = builder.Build();

        Func<Task> start = () => host.StartAsync();

        (await start.Should().ThrowAsync<MigrationValidationException>()).Which.Message.Should().Contain("blocking-index-build");
        (await Db.HistoryAsync(db.ConnectionString)).Select(h => h.Version).Should().Equal(1);
    }
}
