using MigrationKit.Sources;

namespace MigrationKit.Tests.Sources;

public sealed class InMemoryMigrationSourceTests
{
    [Test]
    public async Task Migrations_added_in_any_order_come_back_ordered()
    {
        var source = new InMemoryMigrationSource().Add(3, "c", "SELECT 3").Add(1, "a", "SELECT 1", "SELECT -1");

        IReadOnlyList<Migration> migrations = await source.LoadAsync();

        migrations.Select(m => m.Version).Should().Equal(1, 3);
        migrations[0].Down!.Sql.Should().Be("SELECT -1");
    }

    [Test]
    public async Task A_version_given_twice_is_a_duplicate()
    {
        var source = new InMemoryMigrationSource().Add(1, "a", "SELECT 1").Add(1, "b", "SELECT 2");

        Func<Task> load = async () => await source.LoadAsync();

        (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Single().Code.Should().Be(ValidationCode.DuplicateVersion);
    }
}
