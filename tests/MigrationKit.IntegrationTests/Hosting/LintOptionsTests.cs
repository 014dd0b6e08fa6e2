using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Linting;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>Lint's options bind from configuration (through the source-generated binder) and are validated at start.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class LintOptionsTests
{
    private const string UnusedConnection = "Host=127.0.0.1;Port=1;Database=none;Username=nobody";

    [Test]
    public void Rule_severities_and_the_server_version_bind_from_a_configuration_section()
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Migrations:ConnectionString"] = UnusedConnection,
            ["Migrations:Lint:Rules:breaking-drop"] = "Error",
            ["Migrations:Lint:Rules:Unbounded-Data-Change"] = "Off",
            ["Migrations:Lint:ServerVersion"] = "13",
        });
        builder.Services.AddMigrations(builder.Configuration.GetSection("Migrations")).FromDirectory(MigrationFolder.PlannerMigrations);
        using IHost host = builder.Build();

        MigrationLintOptions lint = host.Services.GetRequiredService<IOptions<MigrationOptions>>().Value.Lint;

        lint.ServerVersion.Should().Be(13);
        lint.Rules.Should().HaveCount(2);
        lint.Rules["breaking-drop"].Should().Be(LintSeverity.Error);
        lint.Rules["unbounded-data-change"].Should().Be(LintSeverity.Off, "rule ids match whatever their case");
    }

    [Test]
    public async Task A_rule_that_does_not_exist_fails_start_up_naming_it()
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Migrations:ConnectionString"] = UnusedConnection,
            ["Migrations:Lint:Rules:breaking-drops"] = "Error",
        });
        builder.Services.AddMigrations(builder.Configuration.GetSection("Migrations")).FromDirectory(MigrationFolder.PlannerMigrations);
        using IHost host = builder.Build();

        Func<Task> start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("Lint:Rules names the rule 'breaking-drops'");
    }
}
