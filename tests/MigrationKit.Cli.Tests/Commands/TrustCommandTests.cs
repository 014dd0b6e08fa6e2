using System.Text.Json;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests.Commands;

/// <summary>
/// What new users found on real folders and servers (issue 11): each answer the tool gives is the truth, and a wrong
/// input gets one clear error with the right exit code.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class TrustCommandTests
{
    private static MigrationFolder SixTables()
    {
        var folder = new MigrationFolder();
        for (int v = 1; v <= 6; v++)
        {
            folder.Up(v, $"create_t{v}", $"CREATE TABLE t{v} (id int);\n", $"DROP TABLE t{v};\n");
        }

        return folder;
    }

    /// <summary>What golang-migrate leaves at version 4: its two-column table, one row, and the tables of 1..4.</summary>
    private static async Task GolangMigrateAtAsync(TestDatabase db, long version, bool dirty)
    {
        await db.ExecuteAsync("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)");
        for (int v = 1; v <= version; v++)
        {
            await db.ExecuteAsync($"CREATE TABLE t{v} (id int)");
        }

        await db.ExecuteAsync($"INSERT INTO schema_migrations VALUES ({version}, {(dirty ? "true" : "false")})");
    }

    [Test]
    public async Task Status_of_a_golang_migrate_database_before_up_reads_its_version_and_marks_the_rows_as_golang_migrates()
    {
        using MigrationFolder folder = SixTables();
        await using var db = await TestDatabase.CreateAsync();
        await GolangMigrateAtAsync(db, 4, dirty: false);

        CliResult table = await db.RunAsync("status", "--source", folder.Path);
        CliResult json = await db.RunAsync("status", "--json", "--source", folder.Path);
        CliResult plan = await db.RunAsync("plan", "--source", folder.Path);

        table.ExitCode.Should().Be(0, table.ToString());
        table.Out.Should().Contain("Version 4: 4 applied, 2 pending.").And.Contain("applied (golang-migrate)").And.Contain("golang-migrate's");
        using JsonDocument document = JsonDocument.Parse(json.Out);
        document.RootElement.GetProperty("currentVersion").GetInt64().Should().Be(4);
        document.RootElement.GetProperty("historyFormat").GetString().Should().Be("golang-migrate");
        document.RootElement.GetProperty("migrations")[0].GetProperty("recordedAs").GetString().Should().Be("golang-migrate");
        plan.Out.Should().Contain("adopts it").And.Contain("version 4 to 6, 2 scripts");
        (await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations'")).Should().Be(2, "status and plan write nothing");
    }

    [Test]
    public async Task A_dirty_golang_migrate_database_is_reported_dirty_by_status_and_validate_and_up_explains_golang_migrates_flag()
    {
        using MigrationFolder folder = SixTables();
        await using var db = await TestDatabase.CreateAsync();
        await GolangMigrateAtAsync(db, 4, dirty: true);

        CliResult json = await db.RunAsync("status", "--json", "--source", folder.Path);
        CliResult validate = await db.RunAsync("validate", "--source", folder.Path);
        CliResult up = await db.RunAsync("up", "--source", folder.Path);

        json.ExitCode.Should().Be(3, "status exits 3 on a dirty database");
        using JsonDocument document = JsonDocument.Parse(json.Out);
        document.RootElement.GetProperty("dirty").GetBoolean().Should().BeTrue();
        validate.ExitCode.Should().Be(1, validate.ToString());
        validate.All.Should().Contain("golang-migrate left the database dirty at version 4");
        up.ExitCode.Should().Be(1, up.ToString());
        up.Error.Should().Contain("golang-migrate marks a version dirty").And.NotContain("a script that runs outside a transaction");
        (await db.HistoryAsync()).Should().Equal((4L, true));
        (await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations'")).Should().Be(2, "a refused up leaves golang-migrate's table exactly as it was");
    }

    [Test]
    public async Task A_golang_migrate_version_missing_from_the_folder_is_refused_by_validate_and_up_before_adoption()
    {
        using MigrationFolder folder = SixTables();
        File.Delete(folder.File("004_create_t4.up.sql"));
        File.Delete(folder.File("004_create_t4.down.sql"));
        await using var db = await TestDatabase.CreateAsync();
        await GolangMigrateAtAsync(db, 4, dirty: false);

        CliResult validate = await db.RunAsync("validate", "--source", folder.Path);
        CliResult up = await db.RunAsync("up", "--source", folder.Path);

        validate.ExitCode.Should().Be(1, validate.ToString());
        validate.All.Should().Contain("MissingFromSource").And.Contain("Version 4 (recorded by golang-migrate");
        up.ExitCode.Should().Be(1, up.ToString());
        up.Error.Should().Contain("Version 4 (recorded by golang-migrate, not in the source) is applied but no longer in the source").And.NotContain("do not run golang-migrate");
        (await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations'")).Should().Be(2, "golang-migrate can still run on it");
    }

    [Test]
    public async Task Force_v_records_every_version_up_to_it_and_status_shows_which_were_forced()
    {
        using var folder = new MigrationFolder();
        for (int v = 1; v <= 12; v++)
        {
            folder.Up(v, $"step_{v}", $"CREATE TABLE s{v} (id int);\n");
        }

        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "2", "--source", folder.Path);

        CliResult force7 = await db.RunAsync("force", "7", "--source", folder.Path);
        CliResult force11 = await db.RunAsync("force", "11", "--source", folder.Path);
        CliResult status = await db.RunAsync("status", "--source", folder.Path);
        CliResult up = await db.RunAsync("up", "--source", folder.Path);

        force7.ExitCode.Should().Be(0, force7.ToString());
        force11.ExitCode.Should().Be(0, force11.ToString());
        status.Out.Should().Contain("applied (forced)").And.Contain("11 applied, 1 pending");
        up.ExitCode.Should().Be(0, up.ToString());
        up.Out.Should().Contain("1 migration applied");
        (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        (await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations WHERE recorded_as = 'forced'")).Should().Be(9);
    }

    [Test]
    public async Task Force_minus_one_records_that_nothing_is_applied_as_in_golang_migrate()
    {
        using MigrationFolder folder = SixTables();
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "2", "--source", folder.Path);

        CliResult force = await db.RunAsync("force", "-1", "--source", folder.Path);
        CliResult status = await db.RunAsync("status", "--json", "--source", folder.Path);

        force.ExitCode.Should().Be(0, force.ToString());
        (await db.VersionsAsync()).Should().BeEmpty();
        using JsonDocument document = JsonDocument.Parse(status.Out);
        document.RootElement.GetProperty("currentVersion").ValueKind.Should().Be(JsonValueKind.Null, "nothing applied is not version 0");
    }

    [Test]
    public async Task A_folder_starting_at_version_0_runs_up_down_and_up_again()
    {
        using var folder = new MigrationFolder()
            .Write("0_initial.up.sql", "CREATE TABLE zero (id int);\n").Write("0_initial.down.sql", "DROP TABLE zero;\n")
            .Write("1_next.up.sql", "CREATE TABLE one (id int);\n").Write("1_next.down.sql", "DROP TABLE one;\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult up = await db.RunAsync("up", "--source", folder.Path);
        CliResult down = await db.RunAsync("goto", "-1", "--source", folder.Path);
        CliResult again = await db.RunAsync("up", "--source", folder.Path);

        up.ExitCode.Should().Be(0, up.ToString());
        up.Out.Should().Contain("Now at version 1").And.Contain("(was none)");
        down.ExitCode.Should().Be(0, down.ToString());
        down.Out.Should().Contain("Now at version none").And.Contain("2 migrations reverted");
        again.ExitCode.Should().Be(0, again.ToString());
        (await db.VersionsAsync()).Should().Equal(0, 1);
    }

    [Test]
    public async Task An_up_and_a_down_file_with_different_descriptions_are_one_migration_with_a_note()
    {
        using var folder = new MigrationFolder()
            .Write("30_add_metadata.up.sql", "CREATE TABLE metadata (id int);\n")
            .Write("30_drop_metadata.down.sql", "DROP TABLE metadata;\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult validate = await db.RunAsync("validate", "--source", folder.Path);
        CliResult up = await db.RunAsync("up", "--source", folder.Path);
        CliResult down = await db.RunAsync("down", "1", "--source", folder.Path);

        validate.ExitCode.Should().Be(0, validate.ToString());
        validate.All.Should().Contain("DescriptionMismatch").And.Contain("up script's description");
        up.ExitCode.Should().Be(0, up.ToString());
        down.ExitCode.Should().Be(0, down.ToString());
        (await db.TablesAsync()).Should().Equal("schema_migrations");
    }

    [Test]
    public async Task Repair_re_records_an_edited_checksum_listing_it_and_needs_yes_when_not_on_a_terminal()
    {
        using MigrationFolder folder = SixTables();
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "--source", folder.Path);
        folder.Up(7, "create_t7", "CREATE TABLE t7 (id int);\n");
        folder.Write("002_create_t2.up.sql", "-- a comment added on purpose\nCREATE TABLE t2 (id int);\n");

        CliResult refused = await db.RunAsync("up", "--source", folder.Path);
        CliResult withoutYes = await db.RunAsync("repair", "--source", folder.Path);
        CliResult repair = await db.RunAsync("repair", "--yes", "--source", folder.Path);
        CliResult up = await db.RunAsync("up", "--source", folder.Path);

        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Error.Should().Contain("ChecksumDrift");
        withoutYes.ExitCode.Should().Be(2, withoutYes.ToString());
        withoutYes.Error.Should().Contain("pass --yes").And.Contain("2 create_t2");
        repair.ExitCode.Should().Be(0, repair.ToString());
        repair.Out.Should().Contain("Repaired 2 create_t2").And.Contain("Repaired 1 version");
        up.ExitCode.Should().Be(0, up.ToString());
        (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5, 6, 7);
    }

    [Test]
    public async Task Status_exits_0_when_clean_4_when_pending_with_exit_code_and_3_when_dirty()
    {
        using var folder = new MigrationFolder()
            .Up(1, "one", "CREATE TABLE one (id int);\n")
            .Up(2, "two", "CREATE TABLE two (id int);\n");
        await using var db = await TestDatabase.CreateAsync();
        await db.RunAsync("up", "1", "--source", folder.Path);

        CliResult pendingQuiet = await db.RunAsync("status", "--source", folder.Path);
        CliResult pending = await db.RunAsync("status", "--exit-code", "--source", folder.Path);
        await db.RunAsync("up", "--source", folder.Path);
        CliResult clean = await db.RunAsync("status", "--exit-code", "--source", folder.Path);
        await db.ExecuteAsync("UPDATE schema_migrations SET dirty = true WHERE version = 2");
        CliResult dirty = await db.RunAsync("status", "--source", folder.Path);

        pendingQuiet.ExitCode.Should().Be(0);
        pending.ExitCode.Should().Be(4);
        clean.ExitCode.Should().Be(0, clean.ToString());
        dirty.ExitCode.Should().Be(3, dirty.ToString());
    }

    [Test]
    public async Task A_missing_or_wrong_source_folder_is_one_clear_usage_error()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Up(1, "one", "SELECT 1;\n");
        string missing = Path.Combine(folder.Path, "no-such-folder");

        CliResult status = await db.RunAsync("status", "--source", missing);
        CliResult validate = await db.RunAsync("validate", "--source", missing);
        CliResult file = await db.RunAsync("status", "--source", folder.File("001_one.up.sql"));

        status.ExitCode.Should().Be(2, status.ToString());
        status.Error.Should().Contain("the folder does not exist");
        validate.ExitCode.Should().Be(2, validate.ToString());
        validate.All.Should().NotContain("FutureVersion");
        file.ExitCode.Should().Be(2, file.ToString());
        file.Error.Should().Contain("is a file");
    }

    [Test]
    public async Task An_empty_folder_is_an_error_in_every_command_unless_allowed()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder();

        CliResult up = await db.RunAsync("up", "--source", folder.Path);
        CliResult status = await db.RunAsync("status", "--source", folder.Path);
        CliResult allowed = await db.RunAsync("up", "--allow-empty-source", "--source", folder.Path);

        up.ExitCode.Should().Be(1, up.ToString());
        up.Error.Should().Contain("holds no migration").And.Contain("has no .sql file");
        status.ExitCode.Should().Be(1, status.ToString());
        allowed.ExitCode.Should().Be(0, allowed.ToString());
    }

    [Test]
    public async Task Help_names_the_command_migrationkit_and_help_is_a_command()
    {
        await using var db = await TestDatabase.CreateAsync();

        CliResult help = await db.RunAsync("--help");
        CliResult helpCommand = await db.RunAsync("help");
        CliResult helpForce = await db.RunAsync("help", "force");

        help.Out.Should().Contain("Usage:\n  migrationkit [command] [options]").And.NotContain("MigrationKit.Cli");
        help.Out.Should().Contain("3 dirty and 4 pending");
        helpCommand.ExitCode.Should().Be(0, helpCommand.ToString());
        helpCommand.Out.Should().Contain("migrationkit [command] [options]");
        helpForce.Out.Should().Contain("migrationkit force <version>").And.Contain("-1 for none");
    }

    [Test]
    public async Task A_missing_password_says_the_server_wants_one_without_verbose()
    {
        if (!TestServer.HasPasswordUser)
        {
            Assert.Ignore("The test server is not a private cluster, so there is no role that must give a password.");
        }

        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Up(1, "one", "SELECT 1;\n");
        string url = $"postgres://{TestServer.PasswordUser}@127.0.0.1:{db.Port}/{db.Name}?sslmode=disable";

        CliResult result = await CliInProcess.RunAsync(new CliStart { DatabaseUrl = url }, "status", "--source", folder.Path);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("No password has been provided").And.NotContain("See the inner exception");
    }

    [Test]
    public async Task A_down_file_alone_is_an_empty_up_and_an_empty_up_without_a_down_file_reverts_as_golang_migrate_does()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_a", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n")
            .Up(2, "comment_only", "-- nothing to do here\n")
            .Write("003_go_migration.down.sql", "SELECT 1;\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult up = await db.RunAsync("up", "--source", folder.Path);
        CliResult down = await db.RunAsync("down", "--yes", "--source", folder.Path);

        up.ExitCode.Should().Be(0, up.ToString());
        up.Error.Should().Contain("MissingUpScript").And.Contain("read as an empty up script");
        down.ExitCode.Should().Be(0, down.ToString());
        (await db.VersionsAsync()).Should().BeEmpty();
        (await db.TablesAsync()).Should().Equal("schema_migrations");
    }

    [Test]
    public async Task A_golang_migrate_table_with_a_column_the_scripts_added_is_read_and_adopted_keeping_the_column()
    {
        using MigrationFolder folder = SixTables();
        await using var db = await TestDatabase.CreateAsync();
        await GolangMigrateAtAsync(db, 4, dirty: false);
        await db.ExecuteAsync("ALTER TABLE schema_migrations ADD COLUMN data_version integer");

        CliResult status = await db.RunAsync("status", "--source", folder.Path);
        CliResult up = await db.RunAsync("up", "--source", folder.Path);

        status.Out.Should().Contain("Version 4: 4 applied, 2 pending.");
        up.ExitCode.Should().Be(0, up.ToString());
        (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5, 6);
        (await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations' AND column_name = 'data_version'")).Should().Be(1);
    }

    [Test]
    public async Task A_script_that_drops_a_table_named_like_the_history_table_is_told_to_use_another_table()
    {
        using var folder = new MigrationFolder().Up(1, "drop_old_tool_table", "DROP TABLE IF EXISTS schema_migrations;\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult up = await db.RunAsync("up", "--source", folder.Path);
        CliResult other = await db.RunAsync("up", "--table", "mk_history", "--source", folder.Path);

        up.ExitCode.Should().Be(1, up.ToString());
        up.Error.Should().Contain("is gone: the script dropped or renamed it").And.Contain("--table");
        other.ExitCode.Should().Be(0, other.ToString());
    }
}
