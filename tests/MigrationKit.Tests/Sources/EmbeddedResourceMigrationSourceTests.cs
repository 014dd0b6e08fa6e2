using MigrationKit.Sources;

namespace MigrationKit.Tests.Sources;

public sealed class EmbeddedResourceMigrationSourceTests
{
    [Test]
    public async Task Resources_under_a_folder_are_read_as_migrations()
    {
        var source = new EmbeddedResourceMigrationSource(typeof(EmbeddedResourceMigrationSourceTests).Assembly, "Embedded/Migrations");

        IReadOnlyList<Migration> migrations = await source.LoadAsync();

        migrations.Select(m => m.Version).Should().Equal(1, 2);
        migrations[0].Description.Should().Be("create_a");
        migrations[0].Down!.Sql.Should().Be("DROP TABLE a;\n");
        migrations[0].Up.Origin.Should().EndWith("Embedded.Migrations.001_create_a.up.sql");
    }

    [Test]
    public async Task A_mistyped_folder_is_an_error_that_names_where_the_sql_resources_are()
    {
        var source = new EmbeddedResourceMigrationSource(typeof(EmbeddedResourceMigrationSourceTests).Assembly, "Embedded/Migration");
        var runner = new MigrationRunner(source, new MigrationKit.Testing.Stores.InMemoryMigrationStore(), new MigrationOptions());

        Func<Task> up = () => runner.UpAsync();

        (await up.Should().ThrowAsync<MigrationValidationException>()).Which.Message
            .Should().Contain("holds no migration").And.Contain("3 under 'MigrationKit.Tests.Embedded.Migrations'").And.Contain("FromEmbeddedResources");
    }

    [Test]
    public async Task An_assembly_with_no_sql_resource_at_all_is_told_to_embed_them()
    {
        var source = new EmbeddedResourceMigrationSource(typeof(MigrationRunner).Assembly, "Migrations");
        var runner = new MigrationRunner(source, new MigrationKit.Testing.Stores.InMemoryMigrationStore(), new MigrationOptions());

        Func<Task> status = () => runner.GetStatusAsync();

        (await status.Should().ThrowAsync<MigrationValidationException>()).Which.Message
            .Should().Contain("embeds no migration .sql resource at all").And.Contain("<EmbeddedResource Include=");
    }

    [Test]
    public async Task Without_a_folder_every_matching_resource_is_taken()
    {
        var source = new EmbeddedResourceMigrationSource(typeof(EmbeddedResourceMigrationSourceTests).Assembly);

        IReadOnlyList<Migration> migrations = await source.LoadAsync();

        migrations.Select(m => m.Version).Should().Equal(1, 2, 5);
    }

    [Test]
    public async Task Embedded_and_folder_sources_with_the_same_version_are_duplicates()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mk-dup-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "002_other.up.sql"), "SELECT 2;");
            var source = new CompositeMigrationSource([
                new EmbeddedResourceMigrationSource(typeof(EmbeddedResourceMigrationSourceTests).Assembly, "Embedded/Migrations"),
                new FileSystemMigrationSource(dir),
            ]);

            Func<Task> load = async () => await source.LoadAsync();

            ValidationProblem problem = (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Single();
            problem.Code.Should().Be(ValidationCode.DuplicateVersion);
            problem.Message.Should().Contain("002_create_b.up.sql").And.Contain("002_other.up.sql");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
