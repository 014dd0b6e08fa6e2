using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Running;

[Parallelizable(ParallelScope.All)]
public sealed class DriftTests
{
    [Test]
    public async Task An_edited_applied_script_is_drift_and_blocks_up()
    {
        using var folder = new MigrationFolder().Up(1, "create_a", "CREATE TABLE a (id int);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);
        await runner.UpAsync();

        folder.Up(1, "create_a", "CREATE TABLE a (id bigint);\n").Up(2, "create_b", "CREATE TABLE b (id int);");

        ValidationReport report = await runner.ValidateAsync();
        report.IsValid.Should().BeFalse();
        report.Errors.Should().ContainSingle(p => p.Code == ValidationCode.ChecksumDrift && p.Version == 1 && p.Origin!.EndsWith("001_create_a.up.sql"));
        MigrationStatus status = await runner.GetStatusAsync();
        status.Drifted.Select(d => d.Version).Should().Equal(1);
        status.Entries[0].State.Should().Be(MigrationState.Drifted);

        Func<Task> up = () => runner.UpAsync();
        MigrationValidationException blocked = (await up.Should().ThrowAsync<MigrationValidationException>()).Which;
        blocked.Problems.Should().ContainSingle(p => p.Code == ValidationCode.ChecksumDrift);
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("b");
    }

    [Test]
    public async Task The_same_script_with_crlf_line_endings_or_a_bom_is_not_drift()
    {
        using var folder = new MigrationFolder().Up(1, "create_a", "CREATE TABLE a (\n  id int\n);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);
        await runner.UpAsync();

        folder.Up(1, "create_a", "\uFEFFCREATE TABLE a (\r\n  id int\r\n);\r\n").Up(2, "create_b", "CREATE TABLE b (id int);");

        (await runner.ValidateAsync()).IsValid.Should().BeTrue();
        (await runner.UpAsync()).Executed.Select(e => e.Version).Should().Equal(2);
    }
}
