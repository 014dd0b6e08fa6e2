using System.Text.Json;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

/// <summary><c>up --phase pre|post</c> and how status shows a post-deployment migration waiting for the rollout.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class PhaseCommandTests
{
    [Test]
    public async Task Up_phase_pre_leaves_the_post_migration_pending_as_such_and_up_phase_post_applies_it()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int, legacy text);\n")
            .Up(2, "drop_legacy", "-- migrationkit:phase post\nALTER TABLE items DROP COLUMN legacy;\n")
            .Up(3, "add_price", "ALTER TABLE items ADD COLUMN price numeric;\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult pre = await db.RunAsync("up", "--phase", "pre", "--source", folder.Path);
        CliResult status = await db.RunAsync("status", "--source", folder.Path);
        CliResult json = await db.RunAsync("status", "--json", "--source", folder.Path);
        CliResult post = await db.RunAsync("up", "--phase", "post", "--source", folder.Path);

        pre.ExitCode.Should().Be(0, pre.ToString());
        status.Out.Should().MatchRegex(@"(?m)^\s+2  drop_legacy .*pending \(post\)$").And.Contain("1 post-deployment");
        using (JsonDocument document = JsonDocument.Parse(json.Out))
        {
            document.RootElement.GetProperty("migrations")[1].GetProperty("phase").GetString().Should().Be("post");
        }

        post.ExitCode.Should().Be(0, post.ToString());
        post.Out.Should().Contain("1 migration applied");
        (await db.VersionsAsync()).Should().Equal(1, 2, 3);
    }

    [Test]
    public async Task Up_refuses_a_count_with_a_phase_and_an_unknown_phase()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Up(1, "one", "SELECT 1;\n");

        CliResult both = await db.RunAsync("up", "1", "--phase", "pre", "--source", folder.Path);
        CliResult unknown = await db.RunAsync("up", "--phase", "later", "--source", folder.Path);

        both.ExitCode.Should().Be(2, both.ToString());
        unknown.ExitCode.Should().Be(2, unknown.ToString());
        unknown.Error.Should().Contain("--phase must be pre or post");
    }
}
