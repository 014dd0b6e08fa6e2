using MigrationKit.Linting;
using MigrationKit.Sources;
using MigrationKit.Testing.Stores;

namespace MigrationKit.Tests.Running;

/// <summary>The runner's planning and checks, against the in-memory store: no database needed to know what it decides.</summary>
public sealed class MigrationRunnerTests
{
    private static InMemoryMigrationSource Source(params long[] versions)
    {
        var source = new InMemoryMigrationSource();
        foreach (long version in versions)
        {
            source.Add(version, $"m{version}", $"CREATE TABLE t{version} (id int);", $"DROP TABLE t{version};");
        }

        return source;
    }

    private static (MigrationRunner Runner, InMemoryMigrationStore Store) Create(IMigrationSource source, Action<MigrationOptions>? configure = null)
    {
        var options = new MigrationOptions { LockTimeout = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        var store = new InMemoryMigrationStore(options)
        {
            Executor = (step, _) => step.Script.Sql.Contains("FAIL", StringComparison.Ordinal) ? throw new InvalidOperationException("the script failed") : Task.CompletedTask,
        };
        return (new MigrationRunner(source, store, options), store);
    }

    [Test]
    public async Task Up_applies_every_pending_migration_in_version_order_starting_at_version_0()
    {
        var (runner, store) = Create(Source(2, 0, 1));

        MigrationReport report = await runner.UpAsync();

        report.StartVersion.Should().BeNull("nothing was applied, and 0 is a version");
        report.EndVersion.Should().Be(2);
        store.Executed.Select(e => e.Version).Should().Equal(0, 1, 2);
    }

    [Test]
    public async Task Goto_none_reverts_everything_and_status_reports_no_current_version()
    {
        var (runner, store) = Create(Source(0, 1));
        await runner.UpAsync();

        MigrationReport report = await runner.GotoAsync(MigrationVersion.None);
        MigrationStatus status = await runner.GetStatusAsync();

        report.EndVersion.Should().BeNull();
        store.Rows.Should().BeEmpty();
        status.CurrentVersion.Should().BeNull();
        status.Pending.Select(p => p.Version).Should().Equal(0, 1);
    }

    [Test]
    public async Task A_dirty_history_refuses_every_run_before_anything_runs()
    {
        var source = Source(1);
        source.Add(2, "breaks", "-- migrationkit:no-transaction\nFAIL", null);
        var (runner, store) = Create(source);
        await runner.Invoking(r => r.UpAsync()).Should().ThrowAsync<MigrationFailedException>();
        int executed = store.Executed.Count;

        Func<Task> again = () => runner.UpAsync();

        (await again.Should().ThrowAsync<DirtyDatabaseException>()).Which.Message.Should().Contain("dirty at version 2").And.Contain("force 1");
        store.Executed.Should().HaveCount(executed);
    }

    [Test]
    public async Task Out_of_order_pending_versions_are_refused_unless_allowed()
    {
        var (runner, store) = Create(Source(1, 3));
        await runner.UpAsync();
        var withLate = new MigrationRunner(Source(1, 2, 3), store, new MigrationOptions());
        var allowing = new MigrationRunner(Source(1, 2, 3), store, new MigrationOptions { OutOfOrder = OutOfOrderPolicy.Apply });

        (await withLate.Invoking(r => r.UpAsync()).Should().ThrowAsync<MigrationValidationException>())
            .Which.Problems.Should().ContainSingle(p => p.Code == ValidationCode.OutOfOrder && p.Version == 2);
        (await allowing.UpAsync()).Executed.Select(e => e.Version).Should().Equal(2);
    }

    [Test]
    public async Task Force_records_every_source_version_up_to_it_as_forced_and_nothing_above()
    {
        var (runner, store) = Create(Source(1, 2, 3, 4, 5));
        await runner.UpAsync(1);

        await runner.ForceAsync(4);

        store.Rows.Select(r => (r.Version, r.Kind)).Should().Equal(
            (1, HistoryRecordKind.Applied), (2, HistoryRecordKind.Forced), (3, HistoryRecordKind.Forced), (4, HistoryRecordKind.Forced));
        (await runner.UpAsync()).Executed.Select(e => e.Version).Should().Equal(5);
    }

    [Test]
    public async Task Force_refuses_a_version_the_source_does_not_have_and_force_none_clears_the_history()
    {
        var (runner, store) = Create(Source(1, 2));
        await runner.UpAsync();

        await runner.Invoking(r => r.ForceAsync(7)).Should().ThrowAsync<MigrationException>().WithMessage("*Version 7 is not in the source*-1 for none*");
        await runner.ForceAsync(MigrationVersion.None);

        store.Rows.Should().BeEmpty();
    }

    [Test]
    public async Task Baseline_refuses_a_history_that_is_not_empty()
    {
        var (runner, store) = Create(Source(1, 2));
        await runner.UpAsync(1);

        await runner.Invoking(r => r.BaselineAsync(2)).Should().ThrowAsync<MigrationException>().WithMessage("*already records 1 version*");
        store.Rows.Should().ContainSingle();
    }

    [Test]
    public async Task Repair_re_records_only_the_checksums_that_drifted_and_lists_them()
    {
        var (runner, store) = Create(Source(1, 2));
        await runner.UpAsync();
        var edited = new InMemoryMigrationSource()
            .Add(1, "m1", "CREATE TABLE t1 (id int); -- a comment", "DROP TABLE t1;")
            .Add(2, "m2", "CREATE TABLE t2 (id int);", "DROP TABLE t2;");
        var runnerOnEdited = new MigrationRunner(edited, store, new MigrationOptions());
        (await runnerOnEdited.Invoking(r => r.UpAsync(1)).Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Should().Contain(p => p.Code == ValidationCode.ChecksumDrift);

        RepairReport report = await runnerOnEdited.RepairAsync();

        report.Repaired.Select(r => r.Version).Should().Equal(1);
        (await runnerOnEdited.GetStatusAsync()).Drifted.Should().BeEmpty();
    }

    [Test]
    public async Task An_empty_source_is_an_error_in_every_command_unless_allowed()
    {
        var (runner, store) = Create(new InMemoryMigrationSource());

        foreach (Func<Task> command in new Func<Task>[] { () => runner.UpAsync(), () => runner.GetStatusAsync(), () => runner.PlanAsync(null) })
        {
            (await command.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Should().Contain(p => p.Code == ValidationCode.EmptySource);
        }

        (await runner.ValidateAsync()).Errors.Should().Contain(p => p.Code == ValidationCode.EmptySource);
        var allowed = new MigrationRunner(new InMemoryMigrationSource(), store, new MigrationOptions { AllowEmptySource = true });
        (await allowed.UpAsync()).Executed.Should().BeEmpty();
    }

    [Test]
    public async Task A_golang_migrate_history_is_read_as_it_is_before_up()
    {
        var (runner, store) = Create(Source(1, 2, 3, 4, 5, 6));
        store.SetGolangMigrateHistory(4, dirty: false);

        MigrationStatus status = await runner.GetStatusAsync();
        MigrationPlan plan = await runner.PlanAsync(null);

        status.CurrentVersion.Should().Be(4);
        status.HistoryFormat.Should().Be(HistoryFormat.GolangMigrate);
        status.Entries.Where(e => e.Version <= 4).Should().OnlyContain(e => e.State == MigrationState.Applied && e.Applied!.Kind == HistoryRecordKind.GolangMigrate);
        status.Pending.Select(p => p.Version).Should().Equal(5, 6);
        plan.AdoptsGolangMigrateHistory.Should().BeTrue();
        plan.CurrentVersion.Should().Be(4);
        plan.Steps.Select(s => s.Version).Should().Equal(5, 6);
        store.Executed.Should().BeEmpty();
    }

    [Test]
    public async Task A_refused_up_leaves_a_golang_migrate_history_untouched()
    {
        var (runner, store) = Create(Source(1, 2, 3, 5, 6));
        store.SetGolangMigrateHistory(4, dirty: false);

        (await runner.Invoking(r => r.UpAsync()).Should().ThrowAsync<MigrationValidationException>())
            .Which.Problems.Should().Contain(p => p.Code == ValidationCode.MissingFromSource && p.Version == 4 && p.Message.Contains("recorded by golang-migrate"));

        await using IMigrationStoreSession session = await store.OpenSessionAsync();
        (await session.ReadHistoryAsync()).Format.Should().Be(HistoryFormat.GolangMigrate, "nothing was adopted");
    }

    [Test]
    public async Task A_dirty_golang_migrate_history_says_what_golang_migrates_flag_means()
    {
        var (runner, store) = Create(Source(1, 2, 3, 4, 5));
        store.SetGolangMigrateHistory(4, dirty: true);

        MigrationStatus status = await runner.GetStatusAsync();
        ValidationReport validation = await runner.ValidateAsync();
        Func<Task> up = () => runner.UpAsync();

        status.IsDirty.Should().BeTrue();
        validation.Errors.Should().Contain(p => p.Code == ValidationCode.Dirty && p.Message.Contains("golang-migrate left the database dirty at version 4"));
        (await up.Should().ThrowAsync<DirtyDatabaseException>()).Which.Message.Should().Contain("golang-migrate marks a version dirty").And.NotContain("a script that runs outside a transaction");
        store.Executed.Should().BeEmpty();
    }

    [Test]
    public async Task A_pending_post_deployment_migration_does_not_hold_back_newer_pre_ones_nor_count_as_out_of_order()
    {
        var source = Source(1);
        source.Add(2, "contract", "-- migrationkit:phase post\nDROP TABLE t1;", null);
        source.Add(3, "m3", "CREATE TABLE t3 (id int);", null);
        var (runner, store) = Create(source);

        MigrationReport pre = await runner.UpAsync(MigrationPhase.Pre);
        ValidationReport validation = await runner.ValidateAsync();
        MigrationReport post = await runner.UpAsync(MigrationPhase.Post);

        pre.Executed.Select(e => e.Version).Should().Equal(1, 3);
        validation.Problems.Should().NotContain(p => p.Code == ValidationCode.OutOfOrder);
        post.Executed.Select(e => e.Version).Should().Equal(2);
        store.Rows.Select(r => r.Version).Should().Equal(1, 2, 3);
    }

    [Test]
    public async Task Status_lists_applied_drifted_missing_and_pending_versions_in_version_order()
    {
        var (runner, store) = Create(Source(1, 2, 3));
        await runner.UpAsync();
        var changed = new InMemoryMigrationSource()
            .Add(1, "m1", "CREATE TABLE t1 (id bigint);", "DROP TABLE t1;")
            .Add(3, "m3", "CREATE TABLE t3 (id int);", "DROP TABLE t3;")
            .Add(4, "m4", "CREATE TABLE t4 (id int);", "DROP TABLE t4;");

        MigrationStatus status = await new MigrationRunner(changed, store, new MigrationOptions()).GetStatusAsync();

        status.Entries.Select(e => (e.Version, e.State)).Should().Equal(
            (1, MigrationState.Drifted), (2, MigrationState.Missing), (3, MigrationState.Applied), (4, MigrationState.Pending));
        status.CurrentVersion.Should().Be(3);
        status.Entries.Single(e => e.Version == 2).Migration.Should().BeNull("its file is gone; the entry comes from the history alone");
    }

    [Test]
    public async Task Down_without_a_down_script_is_refused_before_anything_is_reverted()
    {
        var source = Source(1);
        source.Add(2, "no-way-back", "CREATE TABLE t2 (id int);");
        var (runner, store) = Create(source);
        await runner.UpAsync();

        (await runner.Invoking(r => r.DownAsync(2)).Should().ThrowAsync<MigrationValidationException>())
            .Which.Problems.Should().Contain(p => p.Code == ValidationCode.MissingDownScript && p.Version == 2);
        store.Rows.Select(r => r.Version).Should().Equal(1, 2);
        store.Executed.Should().OnlyContain(e => e.Direction == MigrationDirection.Up);
    }

    [Test]
    public async Task A_lint_finding_configured_as_an_error_refuses_up_before_anything_is_written()
    {
        var (runner, store) = Create(Source(1));
        await runner.UpAsync();
        var options = new MigrationOptions();
        options.Lint.Rules["blocking-index-build"] = LintSeverity.Error;
        var withIndex = Source(1).Add(2, "index", "CREATE INDEX t1_id_idx ON t1 (id);", "DROP INDEX t1_id_idx;");

        Func<Task> up = () => new MigrationRunner(withIndex, store, options).UpAsync();

        (await up.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Should().Contain(p => p.Code == ValidationCode.LintFinding && p.Version == 2);
        store.Rows.Select(r => r.Version).Should().Equal(1);
        store.Executed.Select(e => e.Version).Should().Equal(1);
    }
}
