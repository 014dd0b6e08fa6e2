namespace MigrationKit.Tests;

public sealed class MigrationPhaseTests
{
    [TestCase("CREATE TABLE t (id int);", MigrationPhase.Pre)]
    [TestCase("-- migrationkit:phase post\nALTER TABLE t DROP COLUMN c;", MigrationPhase.Post)]
    [TestCase("-- drops what 4.2 no longer reads\n--MigrationKit:PHASE   POST\t\n\nALTER TABLE t DROP COLUMN c;", MigrationPhase.Post)]
    [TestCase("-- migrationkit:no-transaction\n-- migrationkit:phase post\nDROP INDEX CONCURRENTLY IF EXISTS i;", MigrationPhase.Post)]
    [TestCase("-- migrationkit:phase pre\nCREATE TABLE t (id int);", MigrationPhase.Pre)]
    [TestCase("/* migrationkit:phase post */\nSELECT 1;", MigrationPhase.Pre)]
    [TestCase("SELECT 1;\n-- migrationkit:phase post\n", MigrationPhase.Pre)]
    [TestCase("-- migrationkit:phase postponed\nSELECT 1;", MigrationPhase.Pre)]
    [TestCase("-- migrationkit:phasepost\nSELECT 1;", MigrationPhase.Pre)]
    [TestCase("-- migrationkit:phase pre\n-- migrationkit:phase post\nSELECT 1;", MigrationPhase.Pre)]
    [TestCase("-- migrationkit:phase post", MigrationPhase.Post)]
    public void The_phase_comes_from_a_directive_before_the_first_statement_of_the_up_script(string up, MigrationPhase phase)
    {
        var migration = new Migration(1, "m", new MigrationScript(up, "001_m.up.sql"), new MigrationScript("-- migrationkit:phase post\nSELECT 1;", "001_m.down.sql"));

        migration.Phase.Should().Be(phase);
    }

    [Test]
    public void The_phase_directive_does_not_make_a_script_run_outside_a_transaction()
    {
        var script = new MigrationScript("-- migrationkit:phase post\nALTER TABLE t DROP COLUMN c;", "001_m.up.sql");

        script.RunsOutsideTransaction.Should().BeFalse();
    }
}
