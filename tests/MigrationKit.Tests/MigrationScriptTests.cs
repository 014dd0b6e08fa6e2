namespace MigrationKit.Tests;

public sealed class MigrationScriptTests
{
    [Test]
    public void The_checksum_is_sha256_of_the_normalised_utf8_text_in_lowercase_hex()
    {
        // printf 'SELECT 1;\n' | sha256sum
        MigrationScript.ComputeChecksum("SELECT 1;\n").Should().Be("b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd");
        MigrationScript.ComputeChecksum("\uFEFFSELECT 1;\r\n").Should().Be(MigrationScript.ComputeChecksum("SELECT 1;\n"));
        MigrationScript.ComputeChecksum("SELECT 2;\n").Should().NotBe(MigrationScript.ComputeChecksum("SELECT 1;\n"));
    }

    [Test]
    public void A_script_keeps_its_origin_and_normalises_its_text()
    {
        var script = new MigrationScript("\uFEFFSELECT 1;\r\nSELECT 2;\r\n", "x.up.sql");

        script.Sql.Should().Be("SELECT 1;\nSELECT 2;\n");
        script.Origin.Should().Be("x.up.sql");
        script.ToString().Should().Be("x.up.sql");
    }

    [Test]
    public void A_migration_version_may_be_zero_as_in_golang_migrate_but_not_negative()
    {
        var up = new MigrationScript("SELECT 1", "x");

        FluentActions.Invoking(() => new Migration(-1, "x", up)).Should().Throw<ArgumentOutOfRangeException>();
        new Migration(0, "initial", up).ToString().Should().Be("0_initial");
        new Migration(5, "create_x", up).ToString().Should().Be("5_create_x");
    }
}
