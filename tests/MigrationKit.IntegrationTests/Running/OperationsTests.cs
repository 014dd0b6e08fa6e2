using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Sources;

namespace MigrationKit.IntegrationTests.Running;

[Parallelizable(ParallelScope.All)]
public sealed class OperationsTests
{
    private static MigrationFolder ThreeTables() => new MigrationFolder()
        .Up(1, "create_a", "CREATE TABLE a (id int);", "DROP TABLE a;")
        .Up(2, "create_b", "CREATE TABLE b (id int);", "DROP TABLE b;")
        .Up(3, "create_c", "CREATE TABLE c (id int);", "DROP TABLE c;");

    [Test]
    public async Task Up_with_steps_applies_only_that_many()
    {
        using var folder = ThreeTables();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);

        (await runner.UpAsync(2)).Executed.Select(e => e.Version).Should().Equal(1, 2);
        (await runner.UpAsync(2)).Executed.Select(e => e.Version).Should().Equal(3);
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("a", "b", "c", "schema_migrations");
    }

    [Test]
    public async Task Down_reverts_newest_first_and_refuses_without_a_down_script()
    {
        using var folder = ThreeTables().Up(4, "no_down", "CREATE TABLE d (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);
        await runner.UpAsync();

        Func<Task> down = () => runner.DownAsync(2);
        MigrationValidationException refused = (await down.Should().ThrowAsync<MigrationValidationException>()).Which;
        refused.Problems.Should().ContainSingle(p => p.Code == ValidationCode.MissingDownScript && p.Version == 4);
        (await Db.TablesAsync(db.ConnectionString)).Should().Contain("c", "nothing runs when any needed down script is missing");

        await Db.ExecuteAsync(db.ConnectionString, "DROP TABLE d");
        await runner.ForceAsync(3);
        (await runner.DownAsync(int.MaxValue)).Executed.Select(e => e.Version).Should().Equal(3, 2, 1);
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("schema_migrations");
        (await runner.GetStatusAsync()).CurrentVersion.Should().BeNull("nothing is applied, and 0 is a version");
    }

    [Test]
    public async Task Goto_moves_up_and_down_to_exactly_a_version()
    {
        using var folder = ThreeTables();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);

        (await runner.GotoAsync(2)).EndVersion.Should().Be(2);
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("a", "b", "schema_migrations");
        (await runner.GotoAsync(3)).Executed.Select(e => e.Version).Should().Equal(3);
        (await runner.GotoAsync(1)).Executed.Select(e => (e.Version, e.Direction)).Should().Equal((3, MigrationDirection.Down), (2, MigrationDirection.Down));
        (await runner.GotoAsync(MigrationVersion.None)).EndVersion.Should().BeNull();
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("schema_migrations");

        Func<Task> unknown = () => runner.GotoAsync(7);
        (await unknown.Should().ThrowAsync<MigrationValidationException>()).Which.Message.Should().Contain("Version 7 is not in the source");
    }

    [Test]
    public async Task Plan_shows_what_up_would_run_without_running_it()
    {
        using var folder = ThreeTables();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);
        await runner.UpAsync(1);

        MigrationPlan plan = await runner.PlanAsync(null);
        MigrationPlan down = await runner.PlanAsync(MigrationVersion.None);

        plan.CurrentVersion.Should().Be(1);
        plan.TargetVersion.Should().Be(3);
        plan.Steps.Select(s => (s.Version, s.Direction)).Should().Equal((2, MigrationDirection.Up), (3, MigrationDirection.Up));
        plan.Steps[0].Script.Sql.Should().Contain("CREATE TABLE b");
        down.Steps.Select(s => (s.Version, s.Direction)).Should().Equal((1, MigrationDirection.Down));
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("a", "schema_migrations");
    }

    [Test]
    public async Task Out_of_order_versions_fail_unless_the_policy_applies_them()
    {
        using var folder = new MigrationFolder().Up(1, "a", "CREATE TABLE a (id int);").Up(3, "c", "CREATE TABLE c (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync();
        folder.Up(2, "b", "CREATE TABLE b (id int);");

        Func<Task> strict = () => Runners.For(db, folder.Path).UpAsync();
        (await strict.Should().ThrowAsync<MigrationValidationException>()).Which.Problems
            .Should().ContainSingle(p => p.Code == ValidationCode.OutOfOrder && p.Version == 2);
        (await Db.TablesAsync(db.ConnectionString)).Should().NotContain("b");

        MigrationReport applied = await Runners.For(db, folder.Path, o => o.OutOfOrder = OutOfOrderPolicy.Apply).UpAsync();
        applied.Executed.Select(e => e.Version).Should().Equal(2);
        applied.EndVersion.Should().Be(3);
    }

    [Test]
    public async Task Baseline_records_an_existing_schema_without_running_scripts()
    {
        using var folder = ThreeTables();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE a (id int); CREATE TABLE b (id int);");
        var runner = Runners.For(db, folder.Path);

        await runner.BaselineAsync(2);

        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false), (2L, false));
        (await runner.UpAsync()).Executed.Select(e => e.Version).Should().Equal(3);
        Func<Task> again = () => runner.BaselineAsync(3);
        (await again.Should().ThrowAsync<MigrationException>()).Which.Message.Should().Contain("already records 3 version(s)");
    }

    [Test]
    public async Task Drop_refuses_unless_allowed_then_empties_the_schema_and_keeps_it()
    {
        using var folder = MigrationFolder.GolangMigrateStylePlanner();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync();
        await Db.ExecuteAsync(db.ConnectionString, """
            CREATE VIEW open_tasks AS SELECT * FROM tasks WHERE status <> 'done';
            CREATE MATERIALIZED VIEW task_counts AS SELECT project_id, count(*) FROM tasks GROUP BY project_id;
            CREATE SEQUENCE loose_seq;
            CREATE TYPE mood AS ENUM ('ok', 'bad');
            CREATE DOMAIN positive AS int CHECK (VALUE > 0);
            CREATE PROCEDURE noop() LANGUAGE sql AS $$ SELECT 1 $$;
            CREATE SCHEMA other; CREATE TABLE other.kept (id int);
            """);

        Func<Task> refused = () => Runners.For(db, folder.Path).DropAsync();
        (await refused.Should().ThrowAsync<MigrationException>()).Which.Message.Should().Contain(nameof(MigrationOptions.AllowDrop));

        await Runners.For(db, folder.Path, o => o.AllowDrop = true).DropAsync();

        (await Db.ScalarAsync<long>(db.ConnectionString, """
            SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)
                 + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)
                 + (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace)
            """)).Should().Be(0);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname = 'public'")).Should().Be(1);
        (await Db.TablesAsync(db.ConnectionString, "other")).Should().Equal("kept");
        (await Runners.For(db, folder.Path).UpAsync()).Executed.Should().HaveCount(10, "the schema is empty and usable again");
    }

    [Test]
    public async Task Status_lists_applied_pending_and_missing_versions()
    {
        using var folder = ThreeTables();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, folder.Path).UpAsync(2);
        File.Delete(Path.Combine(folder.Path, "001_create_a.up.sql"));
        File.Delete(Path.Combine(folder.Path, "001_create_a.down.sql"));

        MigrationStatus status = await Runners.For(db, folder.Path).GetStatusAsync();

        status.Entries.Select(e => (e.Version, e.State)).Should().Equal((1, MigrationState.Missing), (2, MigrationState.Applied), (3, MigrationState.Pending));
        status.Entries[1].Applied!.ExecutionTime.Should().NotBeNull();
        status.Entries[1].Applied!.AppliedBy.Should().NotBeNullOrEmpty();
        status.Entries[1].Applied!.Checksum.Should().Be(status.Entries[1].Migration!.Up.Checksum);
        status.Missing.Select(m => m.Version).Should().Equal(1);
        Func<Task> up = () => Runners.For(db, folder.Path).UpAsync();
        (await up.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Should().Contain(p => p.Code == ValidationCode.MissingFromSource && p.Version == 1);
    }

    [Test]
    public async Task Validate_reports_every_problem_at_once_with_code_version_and_file()
    {
        using var folder = new MigrationFolder()
            .Up(1, "a", "CREATE TABLE a (id int);", "DROP TABLE a;")
            .Write("002_b.up.sql", "CREATE TABLE b (note text DEFAULT 'unterminated);")
            .Write("003_empty.up.sql", "-- nothing yet\n")
            .Write("create_things.sql", "CREATE TABLE x (id int);")
            .Write("004_dup.up.sql", "SELECT 1;")
            .Write("0004_dup.up.sql", "SELECT 2;")
            .Write("005_orphan.down.sql", "SELECT 1;")
            .Write("README.md", "not a migration");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path, o => o.RequireDownScripts = true);

        ValidationReport report = await runner.ValidateAsync();

        report.IsValid.Should().BeFalse();
        report.Problems.Should().Contain(p => p.Code == ValidationCode.InvalidFileName && p.Origin!.EndsWith("create_things.sql"));
        report.Problems.Should().Contain(p => p.Code == ValidationCode.DuplicateVersion && p.Version == 4);
        report.Problems.Should().Contain(p => p.Code == ValidationCode.MissingUpScript && p.Version == 5 && p.Severity == ValidationSeverity.Warning);
        report.Problems.Should().Contain(p => p.Code == ValidationCode.SyntaxError && p.Version == 2 && p.Line == 1);
        report.Problems.Should().Contain(p => p.Code == ValidationCode.EmptyScript && p.Version == 3 && p.Severity == ValidationSeverity.Warning);
        report.Problems.Should().Contain(p => p.Code == ValidationCode.MissingDownScript && p.Version == 2 && p.Severity == ValidationSeverity.Error);
        report.Problems.Should().NotContain(p => p.Origin != null && p.Origin.EndsWith("README.md"));

        Func<Task> up = () => runner.UpAsync();
        (await up.Should().ThrowAsync<MigrationValidationException>()).Which.Message.Should().Contain("create_things.sql");
        (await Db.TablesAsync(db.ConnectionString)).Should().BeEmpty("nothing runs while an unmatched .sql file is present");
    }

    [Test]
    public async Task Embedded_and_in_memory_sources_run_like_folders()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var source = new InMemoryMigrationSource()
            .Add(1, "create_a", "CREATE TABLE a (id int);", "DROP TABLE a;")
            .Add(2, "fill_a", "INSERT INTO a VALUES (1), (2);", "DELETE FROM a;");
        var runner = Runners.For(db, source);

        (await runner.UpAsync()).EndVersion.Should().Be(2);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM a")).Should().Be(2);
        (await runner.UpAsync()).Executed.Should().BeEmpty();
    }
}
