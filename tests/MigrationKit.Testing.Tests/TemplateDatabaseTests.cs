using System.Diagnostics;
using MigrationKit.Sources;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>Throwaway databases cloned from a template migrated once per set of migrations.</summary>
[TestFixture]
[NonParallelizable]
public sealed class TemplateDatabaseTests
{
    private PostgresServer server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // No spares on the fixture's own server: the tests that list databases must not see one appear mid-test.
        var options = TestSupport.LocalClusterOptions();
        options.SpareDatabases = 0;
        server = await PostgresServer.StartAsync(options);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    [Test]
    public async Task Rows_written_in_one_throwaway_database_are_not_in_another()
    {
        var source = Source("CREATE TABLE items (id int PRIMARY KEY)");
        await using var first = await server.CreateDatabaseAsync(source);
        await using var second = await server.CreateDatabaseAsync(source);

        await ExecuteAsync(first.ConnectionString, "INSERT INTO items VALUES (1), (2)");

        first.Name.Should().NotBe(second.Name);
        (await TestSupport.ScalarAsync<long>(first.ConnectionString, "SELECT count(*) FROM items")).Should().Be(2);
        (await TestSupport.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM items")).Should().Be(0);
    }

    [Test]
    public async Task The_second_database_is_cloned_from_the_template_not_migrated_again()
    {
        var logs = new RecordingLoggerFactory();
        await using var observed = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = server.ConnectionString, LoggerFactory = logs });
        var source = Source("CREATE TABLE reused (id int)", "CREATE TABLE reused_too (id int)");

        await using var first = await observed.CreateDatabaseAsync(source);
        await using var second = await observed.CreateDatabaseAsync(source);

        // A clone copies the template's history rows: the same applied_at to the microsecond.
        var appliedFirst = await TestSupport.ScalarAsync<DateTime>(first.ConnectionString, "SELECT max(applied_at) FROM schema_migrations");
        var appliedSecond = await TestSupport.ScalarAsync<DateTime>(second.ConnectionString, "SELECT max(applied_at) FROM schema_migrations");
        appliedSecond.Should().Be(appliedFirst);
        logs.Entries.Count(e => e.EventId.Id == 6016).Should().Be(1, "the template is built once");
        (await TemplateCountAsync()).Should().BeGreaterThan(0);
        (await TestSupport.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM schema_migrations")).Should().Be(2);
    }

    [Test]
    public async Task A_changed_migration_gets_a_new_template_never_the_stale_one()
    {
        await using var before = await server.CreateDatabaseAsync(Source("CREATE TABLE changing (id int)"));
        await using var after = await server.CreateDatabaseAsync(Source("CREATE TABLE changing (id int, name text)"));

        (await ColumnCountAsync(before.ConnectionString, "changing")).Should().Be(1);
        (await ColumnCountAsync(after.ConnectionString, "changing")).Should().Be(2);
    }

    [Test]
    public async Task Options_that_shape_the_schema_get_their_own_template()
    {
        var source = Source("CREATE TABLE shaped (id int)");

        await using var plain = await server.CreateDatabaseAsync(source);
        await using var other = await server.CreateDatabaseAsync(source, o => o.TableName = "history");

        (await TestSupport.ScalarAsync<long>(other.ConnectionString, "SELECT count(*) FROM history")).Should().Be(1);
        (await TestSupport.ScalarAsync<long>(plain.ConnectionString, "SELECT count(*) FROM schema_migrations")).Should().Be(1);
    }

    [Test]
    public async Task Disposing_drops_the_clone_even_with_a_connection_open()
    {
        var database = await server.CreateDatabaseAsync(Source("CREATE TABLE kept_open (id int)"));
        await using var open = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await open.OpenAsync();

        await database.DisposeAsync();

        (await TestSupport.EventuallyAsync(async () => !(await DatabaseNamesAsync()).Contains(database.Name), TimeSpan.FromSeconds(10)))
            .Should().BeTrue("the drop queued by DisposeAsync runs in the background");
        open.State.Should().Be(System.Data.ConnectionState.Open, "Npgsql notices the ended session only on its next use");
        var use = () => new NpgsqlCommand("SELECT 1", open).ExecuteScalarAsync();
        await use.Should().ThrowAsync<NpgsqlException>("DROP DATABASE WITH (FORCE) ended the session");
    }

    [Test]
    public async Task DropAsync_drops_the_clone_before_it_returns_even_with_a_connection_open()
    {
        var database = await server.CreateDatabaseAsync(Source("CREATE TABLE dropped_now (id int)"));
        await using var open = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await open.OpenAsync();

        await database.DropAsync();

        (await DatabaseNamesAsync()).Should().NotContain(database.Name);
        await database.DisposeAsync(); // after a drop, disposing does nothing
    }

    [Test]
    public async Task The_next_call_takes_the_spare_cloned_in_the_background_after_the_previous_one()
    {
        var source = Source("CREATE TABLE spared (id int PRIMARY KEY)", "INSERT INTO spared VALUES (1)");
        var logs = new RecordingLoggerFactory();
        await using var observed = await PostgresServer.StartAsync(
            new PostgresServerOptions { ConnectionString = server.ConnectionString, SpareDatabases = 1, LoggerFactory = logs });
        var before = await DatabaseNamesAsync();

        await using var first = await observed.CreateDatabaseAsync(source);
        (await TestSupport.PollUntilAsync(() => logs.Entries.Any(e => e.EventId.Id == 6018), TimeSpan.FromSeconds(10)))
            .Should().BeTrue("a spare is cloned, and connected to once, after the first call returns");
        var spare = (await DatabaseNamesAsync()).Except(before).Where(n => n.StartsWith("mk_test_", StringComparison.Ordinal) && n != first.Name)
            .Should().ContainSingle().Subject;
        await using var second = await observed.CreateDatabaseAsync(source);

        second.Name.Should().Be(spare, "the second call takes the ready spare instead of cloning");
        (await TestSupport.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM spared")).Should().Be(1);
        (await TestSupport.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM schema_migrations")).Should().Be(2);
    }

    [Test]
    public async Task With_no_spares_only_the_databases_asked_for_are_made()
    {
        var source = Source("CREATE TABLE unspared (id int)");
        var logs = new RecordingLoggerFactory();
        await using var observed = await PostgresServer.StartAsync(
            new PostgresServerOptions { ConnectionString = server.ConnectionString, SpareDatabases = 0, LoggerFactory = logs });
        var before = await DatabaseNamesAsync();

        var first = await observed.CreateDatabaseAsync(source);
        var second = await observed.CreateDatabaseAsync(source);

        (await DatabaseNamesAsync()).Except(before).Where(n => n.StartsWith("mk_test_", StringComparison.Ordinal))
            .Should().BeEquivalentTo([first.Name, second.Name]);

        // Disposing waits for every spare under way (and drops both databases), so a spare made late would have
        // logged by now; the second dispose at the end of the scope does nothing.
        await observed.DisposeAsync();
        logs.Entries.Should().NotContain(e => e.EventId.Id == 6018, "no spare is cloned");
    }

    [Test]
    public async Task Disposing_a_server_drops_its_unused_spares_and_the_drops_still_queued()
    {
        var before = await DatabaseNamesAsync();
        var observed = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = server.ConnectionString, SpareDatabases = 2 });
        var source = Source("CREATE TABLE left_over (id int)");
        var disposedFirst = await observed.CreateDatabaseAsync(source);
        var keptOpen = await observed.CreateDatabaseAsync(source);
        await disposedFirst.DisposeAsync();

        await observed.DisposeAsync();

        (await DatabaseNamesAsync()).Where(n => n.StartsWith("mk_test_", StringComparison.Ordinal))
            .Should().BeSubsetOf(before.Where(n => n.StartsWith("mk_test_", StringComparison.Ordinal)), "the databases it handed out and its spares are gone");
        keptOpen.Name.Should().NotBe(disposedFirst.Name);
    }

    [Test]
    public async Task A_negative_number_of_spares_is_refused()
    {
        var start = () => PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = server.ConnectionString, SpareDatabases = -1 });

        await start.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*SpareDatabases*");
    }

    [Test]
    public async Task Failing_migrations_leave_no_template_and_the_next_call_tries_again()
    {
        string folder = NewFolder();
        File.WriteAllText(Path.Combine(folder, "1_broken.up.sql"), "CREATE TABLE broken (id int);\nSELECT * FROM nowhere;");
        var source = new FileSystemMigrationSource(folder);

        Func<Task> create = () => server.CreateDatabaseAsync(source);

        (await create.Should().ThrowAsync<MigrationFailedException>()).Which.Line.Should().Be(2);
        (await TestSupport.ScalarAsync<long>(server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname ~ '^mk_tpl_[0-9a-f]{32}_b'")).Should().Be(0, "the half-built template is dropped");

        File.WriteAllText(Path.Combine(folder, "1_broken.up.sql"), "CREATE TABLE broken (id int);");
        await using var fixedDatabase = await server.CreateDatabaseAsync(source);
        (await TestSupport.ScalarAsync<long>(fixedDatabase.ConnectionString, "SELECT count(*) FROM broken")).Should().Be(0);
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public async Task Two_processes_asking_for_the_same_template_at_once_build_it_once()
    {
        string folder = NewFolder();
        for (int v = 1; v <= 30; v++)
        {
            File.WriteAllText(Path.Combine(folder, $"{v:D3}_t{v}.up.sql"), $"CREATE TABLE t{v} (id int PRIMARY KEY, name text);\nCREATE INDEX t{v}_name ON t{v} (name);");
        }

        using var a = StartChild(folder);
        using var b = StartChild(folder);
        string[] outputs = await Task.WhenAll(ReadAsync(a), ReadAsync(b));

        a.ExitCode.Should().Be(0, outputs[0]);
        b.ExitCode.Should().Be(0, outputs[1]);
        outputs.Count(o => o.Contains("BUILT", StringComparison.Ordinal)).Should().Be(1, string.Join(" | ", outputs));
        outputs.Count(o => o.Contains("CLONED", StringComparison.Ordinal)).Should().Be(1, string.Join(" | ", outputs));
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public async Task Databases_and_templates_left_by_crashed_runs_are_dropped_on_the_next_start()
    {
        await ExecuteAsync(server.ConnectionString, "CREATE DATABASE mk_test_orphan_of_dead_run");
        await ExecuteAsync(server.ConnectionString, $"COMMENT ON DATABASE mk_test_orphan_of_dead_run IS '{DatabaseTemplates.CommentPrefix}clone host={Environment.MachineName} pid=999999 start=1'");
        await ExecuteAsync(server.ConnectionString, "CREATE DATABASE mk_tpl_old_one");
        await ExecuteAsync(server.ConnectionString, $"COMMENT ON DATABASE mk_tpl_old_one IS '{DatabaseTemplates.CommentPrefix}template built=2020-01-01T00:00:00Z migrations=1'");
        await ExecuteAsync(server.ConnectionString, "CREATE DATABASE mk_test_of_a_live_run");
        await ExecuteAsync(server.ConnectionString, $"COMMENT ON DATABASE mk_test_of_a_live_run IS '{DatabaseTemplates.OwnerComment("clone")}'");

        await using (await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionString = server.ConnectionString }))
        {
        }

        var names = await TestSupport.ScalarAsync<string>(server.ConnectionString, "SELECT string_agg(datname, ',') FROM pg_database");
        names.Should().NotContain("mk_test_orphan_of_dead_run").And.NotContain("mk_tpl_old_one").And.Contain("mk_test_of_a_live_run");
        await ExecuteAsync(server.ConnectionString, "DROP DATABASE mk_test_of_a_live_run");
    }

    private static InMemoryMigrationSource Source(params string[] ups)
    {
        var source = new InMemoryMigrationSource();
        for (int i = 0; i < ups.Length; i++)
        {
            source.Add(i + 1, $"step_{i + 1}", ups[i]);
        }

        return source;
    }

    private static string NewFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mk-tpl-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private Process StartChild(string folder)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.ArgumentList.Add(Program.CreateDatabaseMode);
        info.ArgumentList.Add(server.ConnectionString);
        info.ArgumentList.Add(folder);
        return Process.Start(info)!;
    }

    private static async Task<string> ReadAsync(Process process)
    {
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return await output + await errors;
    }

    private async Task<HashSet<string>> DatabaseNamesAsync() =>
        [.. (await TestSupport.ScalarAsync<string>(server.ConnectionString, "SELECT string_agg(datname, ',') FROM pg_database")).Split(',')];

    private async Task<long> TemplateCountAsync() =>
        await TestSupport.ScalarAsync<long>(server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datistemplate AND datname LIKE 'mk_tpl_%'");

    private static Task<long> ColumnCountAsync(string connectionString, string table) =>
        TestSupport.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM information_schema.columns WHERE table_name = '{table}'");

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
