using System.Diagnostics;
using MigrationKit.Sources;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>
/// <see cref="PostgresServer.VerifyAsync"/> on real folders: each migration up, down (the schema compared with the
/// one before the up) and up again, on a throwaway database.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class VerifyTests
{
    private PostgresServer server = null!;
    private string folder = null!;

    [OneTimeSetUp]
    public async Task StartServer() => server = await PostgresServer.StartAsync(new PostgresServerOptions { AllowContainer = false, SpareDatabases = 0 });

    [OneTimeTearDown]
    public async Task StopServer() => await server.DisposeAsync();

    [SetUp]
    public void CreateFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "mk-verify-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task Every_Planner_migration_is_applied_reverted_to_the_same_schema_and_applied_again()
    {
        var stopwatch = Stopwatch.StartNew();
        var report = await server.VerifyAsync(new FileSystemMigrationSource(PlannerFolder));
        stopwatch.Stop();

        report.IsVerified.Should().BeTrue(report.ToString());
        report.Migrations.Select(m => m.Version).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        report.Migrations.Should().OnlyContain(m => m.Outcome == VerificationOutcome.Verified && m.Differences.Count == 0 && m.Failure == null);
        report.Migrations.Should().OnlyContain(m => m.UpDuration > TimeSpan.Zero && m.DownDuration > TimeSpan.Zero && m.ReUpDuration > TimeSpan.Zero);
        report.Migrations[5].UpOrigin.Should().EndWith("006_add_indexes.up.sql");
        report.Migrations[5].DownOrigin.Should().EndWith("006_add_indexes.down.sql");
        report.ServerVersion.Should().Be(server.ServerVersion);
        report.Duration.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(stopwatch.Elapsed);
        TestContext.Out.WriteLine(report);
    }

    [Test]
    public async Task A_down_script_that_forgets_to_restore_an_index_is_reported_naming_the_index()
    {
        Write("001_create_tasks.up.sql", "CREATE TABLE tasks (id int PRIMARY KEY, project_id int, status text);\nCREATE INDEX ix_tasks_project ON tasks (project_id);\n");
        Write("001_create_tasks.down.sql", "DROP TABLE tasks;\n");
        Write("002_index_by_project_and_status.up.sql", "DROP INDEX IF EXISTS ix_tasks_project;\nCREATE INDEX IF NOT EXISTS ix_tasks_project_status ON tasks (project_id, status);\n");
        Write("002_index_by_project_and_status.down.sql", "DROP INDEX ix_tasks_project_status;\n");
        Write("003_add_title.up.sql", "ALTER TABLE tasks ADD COLUMN title text;\n");
        Write("003_add_title.down.sql", "ALTER TABLE tasks DROP COLUMN title;\n");

        var report = await server.VerifyAsync(new FileSystemMigrationSource(folder));

        report.IsVerified.Should().BeFalse();
        var second = report.Migrations[1];
        second.Outcome.Should().Be(VerificationOutcome.SchemaDiffers, report.ToString());
        second.Differences.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            ObjectName = "index \"ix_tasks_project\" on \"public\".\"tasks\"",
            Change = SchemaChange.Missing,
            Before = "CREATE INDEX ix_tasks_project ON public.tasks USING btree (project_id)",
            After = (string?)null,
            Message = "index \"ix_tasks_project\" on \"public\".\"tasks\" is missing after down",
        });
        second.ReUpDuration.Should().NotBeNull("the up script uses IF [NOT] EXISTS, so it runs again");
        report.Migrations[0].Outcome.Should().Be(VerificationOutcome.Verified);
        report.Migrations[2].Outcome.Should().Be(VerificationOutcome.Verified, "a difference does not stop the migrations after it");
        report.ToString().Should().Contain("index \"ix_tasks_project\" on \"public\".\"tasks\" is missing after down");
    }

    [Test]
    public async Task A_script_the_server_rejects_is_reported_with_its_file_line_and_column_and_the_rest_is_not_run()
    {
        Write("001_create_projects.up.sql", "CREATE TABLE projects (id int PRIMARY KEY);\n");
        Write("001_create_projects.down.sql", "DROP TABLE projects;\n");
        Write("002_create_tasks.up.sql", "-- Tasks.\nCREATE TABLE tasks (\n    id int PRIMARY KEY,\n    status text NOT NULL DEFALT 'todo'\n);\n");
        Write("002_create_tasks.down.sql", "DROP TABLE tasks;\n");
        Write("003_create_steps.up.sql", "CREATE TABLE steps (id int);\n");

        var report = await server.VerifyAsync(new FileSystemMigrationSource(folder));

        report.IsVerified.Should().BeFalse();
        report.Migrations.Select(m => m.Outcome).Should().Equal(VerificationOutcome.Verified, VerificationOutcome.Failed, VerificationOutcome.NotRun);
        var failed = report.Migrations[1];
        failed.FailedStep.Should().Be(VerificationStep.Up);
        failed.UpDuration.Should().BeNull();
        failed.Failure.Should().NotBeNull();
        failed.Failure!.Origin.Should().Be(Path.Combine(folder, "002_create_tasks.up.sql"));
        failed.Failure.Line.Should().Be(4);
        failed.Failure.Column.Should().Be(26, "DEFALT starts in column 26 of line 4");
        failed.Failure.SqlState.Should().Be("42601");
        failed.Failure.Message.Should().Contain("DEFALT");
        report.Migrations[2].UpDuration.Should().BeNull();
    }

    [Test]
    public async Task An_up_script_that_cannot_run_again_after_its_down_fails_at_re_up()
    {
        Write("001_create_tables.up.sql", "CREATE TABLE projects (id int PRIMARY KEY);\nCREATE TABLE tasks (id int PRIMARY KEY);\n");
        Write("001_create_tables.down.sql", "DROP TABLE tasks;\n");

        var report = await server.VerifyAsync(new FileSystemMigrationSource(folder));

        var migration = report.Migrations.Should().ContainSingle().Subject;
        migration.Outcome.Should().Be(VerificationOutcome.Failed);
        migration.FailedStep.Should().Be(VerificationStep.ReUp);
        migration.UpDuration.Should().NotBeNull();
        migration.DownDuration.Should().NotBeNull();
        migration.ReUpDuration.Should().BeNull();
        migration.Differences.Select(d => d.Message)
            .Should().Equal("table \"public\".\"projects\" is left over after down (it did not exist before the up)");
        migration.Failure!.SqlState.Should().Be("42P07");
        migration.Failure.Line.Should().Be(1);
        migration.Failure.Origin.Should().EndWith("001_create_tables.up.sql");
        migration.Failure.Direction.Should().Be(MigrationDirection.Up);
    }

    [Test]
    public async Task A_down_script_the_server_rejects_is_reported_as_a_failed_down()
    {
        Write("001_create_projects.up.sql", "CREATE TABLE projects (id int PRIMARY KEY);\n");
        Write("001_create_projects.down.sql", "DROP TABLE project;\n");

        var report = await server.VerifyAsync(new FileSystemMigrationSource(folder));

        var migration = report.Migrations.Should().ContainSingle().Subject;
        migration.Outcome.Should().Be(VerificationOutcome.Failed);
        migration.FailedStep.Should().Be(VerificationStep.Down);
        migration.Failure!.SqlState.Should().Be("42P01");
        migration.Failure.Origin.Should().EndWith("001_create_projects.down.sql");
        migration.Failure.Direction.Should().Be(MigrationDirection.Down);
    }

    [Test]
    public async Task Migrations_without_a_down_script_are_applied_once_and_reported_as_up_only()
    {
        Write("001_create_projects.up.sql", "CREATE TABLE projects (id int PRIMARY KEY);\n");
        Write("001_create_projects.down.sql", "DROP TABLE projects;\n");
        Write("002_add_name.up.sql", "ALTER TABLE projects ADD COLUMN name text;\n");
        Write("003_index_name.up.sql", "CREATE INDEX projects_name_idx ON projects (name);\n");
        Write("003_index_name.down.sql", "DROP INDEX projects_name_idx;\n");

        var report = await server.VerifyAsync(new FileSystemMigrationSource(folder));

        report.IsVerified.Should().BeTrue(report.ToString());
        report.Migrations.Select(m => m.Outcome).Should().Equal(VerificationOutcome.Verified, VerificationOutcome.UpOnly, VerificationOutcome.Verified);
        var upOnly = report.Migrations[1];
        upOnly.DownOrigin.Should().BeNull();
        upOnly.UpDuration.Should().NotBeNull();
        upOnly.DownDuration.Should().BeNull();
        upOnly.ReUpDuration.Should().BeNull();
        upOnly.ToString().Should().Contain("up only (no down script)");
    }

    [Test]
    public async Task A_history_table_in_a_schema_of_its_own_is_not_part_of_the_comparison()
    {
        var source = new InMemoryMigrationSource()
            .Add(1, "create_projects", "CREATE TABLE projects (id int PRIMARY KEY);", "DROP TABLE projects;")
            .Add(2, "comment", "COMMENT ON TABLE projects IS 'Projects';", "COMMENT ON TABLE projects IS NULL;");

        var report = await server.VerifyAsync(source, o =>
        {
            o.Schema = "migrations";
            o.TableName = "history";
        });

        report.IsVerified.Should().BeTrue(report.ToString());
        report.Migrations.Should().OnlyContain(m => m.Outcome == VerificationOutcome.Verified);
    }

    [Test]
    public async Task A_migration_that_runs_outside_a_transaction_is_verified_like_the_others()
    {
        var source = new InMemoryMigrationSource()
            .Add(1, "create_projects", "CREATE TABLE projects (id int PRIMARY KEY, name text);", "DROP TABLE projects;")
            .Add(2, "index_name", "CREATE INDEX CONCURRENTLY projects_name_idx ON projects (name);", "DROP INDEX CONCURRENTLY projects_name_idx;");

        var report = await server.VerifyAsync(source);

        report.IsVerified.Should().BeTrue(report.ToString());
    }

    [Test]
    public async Task The_throwaway_database_is_dropped_afterwards()
    {
        var source = new InMemoryMigrationSource().Add(1, "one", "CREATE TABLE one (id int);", "DROP TABLE one;");

        await server.VerifyAsync(source);

        var left = await TestSupport.EventuallyAsync(
            async () => await TestSupport.ScalarAsync<long>(server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname LIKE 'mk\\_verify\\_%'") == 0,
            TimeSpan.FromSeconds(30));
        left.Should().BeTrue("the verification database is dropped (in the background) once the report is made");
    }

    [Test]
    public async Task A_folder_that_cannot_be_loaded_throws_before_anything_runs()
    {
        Write("001_create_projects.up.sql", "CREATE TABLE projects (id int PRIMARY KEY);\n");
        Write("notes.sql", "SELECT 1;\n");

        var verify = () => server.VerifyAsync(new FileSystemMigrationSource(folder));

        await verify.Should().ThrowAsync<MigrationException>().WithMessage("*notes.sql*");
    }

    private static string PlannerFolder => Path.Combine(AppContext.BaseDirectory, "Migrations", "Planner");

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(folder, name), text);
}
