using MigrationKit.Sources;

namespace MigrationKit.Tests.Sources;

public sealed class MigrationFileNameTests
{
    [TestCase("001_create_projects_table.up.sql", 1L, "create_projects_table", MigrationDirection.Up)]
    [TestCase("001_create_projects_table.down.sql", 1L, "create_projects_table", MigrationDirection.Down)]
    [TestCase("20261124143000_add_index.up.sql", 20261124143000L, "add_index", MigrationDirection.Up)]
    [TestCase("0000000000000000000000042_leading_zeros.up.sql", 42L, "leading_zeros", MigrationDirection.Up)]
    [TestCase("9223372036854775807_max.up.sql", long.MaxValue, "max", MigrationDirection.Up)]
    [TestCase("7_with spaces and ünïcödé.up.sql", 7L, "with spaces and ünïcödé", MigrationDirection.Up)]
    [TestCase("8_dots.in.name.down.sql", 8L, "dots.in.name", MigrationDirection.Down)]
    [TestCase("9_..up.sql", 9L, ".", MigrationDirection.Up)]
    [TestCase("0_initial.up.sql", 0L, "initial", MigrationDirection.Up)]
    [TestCase("000_initial.down.sql", 0L, "initial", MigrationDirection.Down)]
    public void Valid_names_parse(string name, long version, string description, MigrationDirection direction)
    {
        MigrationFileName.TryParse(name, out long v, out string d, out MigrationDirection dir, out string? error).Should().BeTrue(error);
        v.Should().Be(version);
        d.Should().Be(description);
        dir.Should().Be(direction);
    }

    [TestCase("create_projects.up.sql", "must start with a version")]
    [TestCase("001-create.up.sql", "followed by '_'")]
    [TestCase("001.up.sql", "followed by '_'")]
    [TestCase("001_.up.sql", "description")]
    [TestCase("001_x.sql", ".up.sql or .down.sql")]
    [TestCase("001_x.UP.sql", ".up.sql or .down.sql")]
    [TestCase("V1__flyway.sql", ".up.sql or .down.sql")]
    [TestCase("9223372036854775808_overflow.up.sql", "out of range")]
    [TestCase("99999999999999999999999_overflow.up.sql", "out of range")]
    [TestCase("1_tab\there.up.sql", "control character")]
    public void Invalid_names_say_why(string name, string why)
    {
        MigrationFileName.TryParse(name, out _, out _, out _, out string? error).Should().BeFalse();
        error.Should().Contain(why);
    }
}
