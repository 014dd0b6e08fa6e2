using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;

namespace MigrationKit.IntegrationTests.Running;

[Parallelizable(ParallelScope.All)]
public sealed class FailureTests
{
    [Test]
    public async Task A_transactional_migration_failing_in_its_third_statement_leaves_nothing_and_names_file_line_and_column()
    {
        using var folder = new MigrationFolder()
            .Up(1, "create_projects", "CREATE TABLE projects (id int PRIMARY KEY);")
            .Up(2, "broken", "CREATE TABLE tasks (id int PRIMARY KEY);\nINSERT INTO projects VALUES (1);\n\n-- the third statement refers to a column that does not exist\nUPDATE projects\n   SET nam = 'x';\nCREATE TABLE never (id int);\n");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var runner = Runners.For(db, folder.Path);

        Func<Task> up = () => runner.UpAsync();

        MigrationFailedException failure = (await up.Should().ThrowAsync<MigrationFailedException>()).Which;
        failure.Version.Should().Be(2);
        failure.Origin.Should().EndWith("002_broken.up.sql");
        failure.SqlState.Should().Be("42703");
        failure.Line.Should().Be(6);
        failure.Column.Should().Be(8);
        failure.Message.Should().Contain("002_broken.up.sql:6:8").And.Contain("nam").And.Contain("rolled back");
        failure.InnerException.Should().BeOfType<Npgsql.PostgresException>();
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("projects", "schema_migrations");
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM projects")).Should().Be(0);
        (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
    }

    [Test]
    public async Task A_cancelled_run_rolls_back_releases_the_lock_and_leaves_nothing_dirty()
    {
        using var folder = new MigrationFolder()
            .Up(1, "slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var cts = new CancellationTokenSource();
        Task<MigrationReport> run = Runners.For(db, folder.Path).UpAsync(cts.Token);
        await Eventually.ReturnsAsync(() => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()"), n => n > 0, TimeSpan.FromSeconds(20), "the migration sleeps on the server");

        await cts.CancelAsync();
        Func<Task> wait = () => run;

        await wait.Should().ThrowAsync<OperationCanceledException>();
        (await Db.TablesAsync(db.ConnectionString)).Should().Equal("schema_migrations");
        (await Db.HistoryAsync(db.ConnectionString)).Should().BeEmpty();
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).Should().Be(0);
        using var quick = new MigrationFolder().Up(1, "slow", "CREATE TABLE slow (id int);");
        var again = Runners.For(db, quick.Path, o => o.LockTimeout = TimeSpan.FromSeconds(2));
        (await again.UpAsync()).Executed.Should().HaveCount(1, "the lock is free again");
    }
}
