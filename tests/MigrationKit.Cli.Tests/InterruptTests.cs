using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests;

/// <summary>Ctrl+C (SIGINT) sent to the tool's process while it works.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class InterruptTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Ctrl_c_during_a_slow_migration_rolls_it_back_releases_the_lock_and_exits_130()
    {
        using var folder = new MigrationFolder()
            .Up(1, "fast", "CREATE TABLE fast (id int);\n")
            .Up(2, "slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
        await using var db = await TestDatabase.CreateAsync();
        using CliProcess cli = CliProcess.Start(db.Start() with { DefaultSigInt = true }, "up", "--source", folder.Path);

        await Eventually.HoldsAsync(() => IsSleepingAsync(db), Patience, "migration 2 is in its pg_sleep");
        await cli.InterruptAsync();
        CliResult result = await cli.WaitAsync(Patience);

        result.ExitCode.Should().Be(130, result.ToString());
        result.Error.Should().Contain("Interrupted: version 2 was rolled back and the migration lock released. 1 script completed before it and stays done.");
        (await db.HistoryAsync()).Should().Equal((1L, false));
        (await db.TablesAsync()).Should().NotContain("slow");
        (await AdvisoryLocksAsync(db)).Should().Be(0);
        (await IsSleepingAsync(db)).Should().BeFalse("the server cancelled the statement rather than finishing it");
    }

    [Test]
    public async Task Ctrl_c_during_a_first_migration_leaves_nothing_applied_and_nothing_dirty()
    {
        using var folder = new MigrationFolder().Up(1, "slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
        await using var db = await TestDatabase.CreateAsync();
        using CliProcess cli = CliProcess.Start(db.Start() with { DefaultSigInt = true }, "up", "--source", folder.Path);

        await Eventually.HoldsAsync(() => IsSleepingAsync(db), Patience, "migration 1 is in its pg_sleep");
        await cli.InterruptAsync();
        CliResult result = await cli.WaitAsync(Patience);

        result.ExitCode.Should().Be(130, result.ToString());
        (await db.HistoryAsync()).Should().BeEmpty();
        (await db.TablesAsync()).Should().Equal("schema_migrations");
        (await AdvisoryLocksAsync(db)).Should().Be(0);
    }

    [Test]
    public async Task Ctrl_c_during_a_script_outside_a_transaction_says_the_database_is_dirty()
    {
        using var folder = new MigrationFolder().Up(1, "slow", "-- migrationkit:no-transaction\nCREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
        await using var db = await TestDatabase.CreateAsync();
        using CliProcess cli = CliProcess.Start(db.Start() with { DefaultSigInt = true }, "up", "--source", folder.Path);

        await Eventually.HoldsAsync(() => IsSleepingAsync(db), Patience, "migration 1 is in its pg_sleep");
        await cli.InterruptAsync();
        CliResult result = await cli.WaitAsync(Patience);

        result.ExitCode.Should().Be(130, result.ToString());
        result.Error.Should().Contain("version 1 was running outside a transaction").And.Contain("dirty at version 1").And.Contain("force");
        (await db.HistoryAsync()).Should().Equal((1L, true));
        (await AdvisoryLocksAsync(db)).Should().Be(0);
    }

    [Test]
    public async Task Sigterm_cancels_the_same_way_and_exits_143()
    {
        using var folder = new MigrationFolder().Up(1, "slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
        await using var db = await TestDatabase.CreateAsync();
        using CliProcess cli = CliProcess.Start(db.Start(), "up", "--source", folder.Path);

        await Eventually.HoldsAsync(() => IsSleepingAsync(db), Patience, "migration 1 is in its pg_sleep");
        await cli.InterruptAsync("TERM");
        CliResult result = await cli.WaitAsync(Patience);

        result.ExitCode.Should().Be(143, result.ToString());
        result.Error.Should().Contain("version 1 was rolled back");
        (await db.HistoryAsync()).Should().BeEmpty();
        (await AdvisoryLocksAsync(db)).Should().Be(0);
    }

    [Test]
    public async Task Ctrl_c_at_the_confirmation_question_changes_nothing_and_exits_130()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", MigrationFolder.PlannerMigrations);
        using CliProcess cli = CliProcess.Start(db.Start() with { DefaultSigInt = true, KeepInputOpen = true }, "drop");

        await Eventually.HoldsAsync(() => cli.ErrorSoFar.Contains("Continue? [y/N]", StringComparison.Ordinal), Patience, "drop asks its question");
        await cli.InterruptAsync();
        CliResult result = await cli.WaitAsync(Patience);

        result.ExitCode.Should().Be(130, result.ToString());
        result.Error.Should().Contain("Interrupted: nothing was changed.");
        (await db.VersionsAsync()).Should().HaveCount(10);
        (await db.TablesAsync()).Should().Contain("projects");
    }

    private static async Task<bool> IsSleepingAsync(TestDatabase db) =>
        await db.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%pg_sleep(30)%'") > 0;

    private static Task<long> AdvisoryLocksAsync(TestDatabase db) =>
        db.ScalarAsync<long>("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()");
}
