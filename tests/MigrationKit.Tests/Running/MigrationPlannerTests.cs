using MigrationKit.Running;

namespace MigrationKit.Tests.Running;

public sealed class MigrationPlannerTests
{
    private static readonly IReadOnlyList<Migration> Source =
    [
        Make(1, down: true), Make(2, down: true), Make(3, down: false), Make(4, down: true),
    ];

    [Test]
    public void Up_plans_every_pending_version_in_order_and_respects_steps()
    {
        var problems = new List<ValidationProblem>();

        MigrationPlanner.Plan(MigrationIntent.Up(int.MaxValue), Source, History(1), problems).Select(s => s.Version).Should().Equal(2, 3, 4);
        MigrationPlanner.Plan(MigrationIntent.Up(2), Source, History(1), problems).Select(s => s.Version).Should().Equal(2, 3);
        problems.Should().BeEmpty();
    }

    [Test]
    public void Down_plans_the_newest_applied_first_and_reports_missing_down_scripts()
    {
        var problems = new List<ValidationProblem>();

        var steps = MigrationPlanner.Plan(MigrationIntent.Down(2), Source, History(1, 2, 3, 4), problems);

        steps.Select(s => (s.Version, s.Direction)).Should().Equal((4, MigrationDirection.Down));
        problems.Should().ContainSingle(p => p.Code == ValidationCode.MissingDownScript && p.Version == 3);
    }

    [Test]
    public void Goto_reverts_above_the_target_then_applies_up_to_it()
    {
        var problems = new List<ValidationProblem>();

        var steps = MigrationPlanner.Plan(MigrationIntent.Goto(2), Source, History(1, 4), problems);

        steps.Select(s => (s.Version, s.Direction)).Should().Equal((4, MigrationDirection.Down), (2, MigrationDirection.Up));
        problems.Should().BeEmpty();
        MigrationPlanner.VersionAfter(History(1, 4), steps).Should().Be(2);
        MigrationPlanner.OutOfOrderSteps(History(1, 4), steps).Should().BeEmpty("version 4 is reverted before 2 is applied");
    }

    [Test]
    public void A_pending_version_below_the_newest_applied_is_out_of_order()
    {
        var problems = new List<ValidationProblem>();
        var steps = MigrationPlanner.Plan(MigrationIntent.Up(int.MaxValue), Source, History(1, 3), problems);

        MigrationPlanner.OutOfOrderSteps(History(1, 3), steps).Select(o => (o.Step.Version, o.NewestApplied)).Should().Equal((2, 3));
    }

    [Test]
    public void Goto_an_unknown_version_is_a_problem()
    {
        var problems = new List<ValidationProblem>();

        MigrationPlanner.Plan(MigrationIntent.Goto(9), Source, History(1), problems).Should().BeEmpty();

        problems.Should().ContainSingle(p => p.Code == ValidationCode.MissingFromSource && p.Version == 9);
    }

    internal static Migration Make(long version, bool down, string sql = "SELECT 1") => new(
        version,
        $"m{version}",
        new MigrationScript(sql, $"{version}_m{version}.up.sql"),
        down ? new MigrationScript("SELECT 2", $"{version}_m{version}.down.sql") : null);

    internal static List<AppliedMigration> History(params long[] versions) =>
        [.. versions.Select(v => new AppliedMigration { Version = v, Description = $"m{v}", Checksum = MigrationScript.ComputeChecksum("SELECT 1"), AppliedAt = DateTimeOffset.UnixEpoch, AppliedBy = "test" })];
}
