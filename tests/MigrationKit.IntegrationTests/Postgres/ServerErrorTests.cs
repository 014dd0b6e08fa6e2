using MigrationKit.IntegrationTests.Support;
using MigrationKit.Sources;
using MigrationKit.Testing;
using MigrationKit.Postgres;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// Server errors met outside any script say what MigrationKit was doing and what to grant or where to connect; no
/// "unexpected PostgresException" reaches a user, and a read-only session is refused before anything is written.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class ServerErrorTests
{
    private static readonly InMemoryMigrationSource OneTable = new InMemoryMigrationSource().Add(1, "one", "CREATE TABLE one (id int);");

    /// <summary>A login role and a connection string for it, dropped when done.</summary>
    private static async Task<(string ConnectionString, Func<Task> Drop)> RoleAsync(ThrowawayDatabase db, string settings)
    {
        string role = "mk_role_" + Guid.NewGuid().ToString("N")[..10];
        await Db.ExecuteAsync(db.ConnectionString, $"CREATE ROLE {role} LOGIN {settings}");
        string connection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = role, Pooling = false }.ConnectionString;
        return (connection, () => Db.ExecuteAsync(db.ConnectionString, $"DROP OWNED BY {role}; DROP ROLE {role}"));
    }

    [Test]
    public async Task A_role_without_create_on_public_gets_a_message_naming_the_history_table_and_the_grant()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        (string connection, Func<Task> drop) = await RoleAsync(db, string.Empty);
        try
        {
            var options = new MigrationOptions { ConnectionString = connection };
            var runner = new MigrationRunner(OneTable, new PostgresMigrationStore(options), options);

            MigrationException error = (await runner.Invoking(r => r.UpAsync()).Should().ThrowAsync<MigrationException>()).Which;

            error.Message.Should().Contain("Creating or upgrading the history table \"public\".\"schema_migrations\" failed")
                .And.Contain("42501: permission denied for schema public").And.Contain("GRANT USAGE, CREATE ON SCHEMA").And.NotContain("POSITION");
            error.InnerException.Should().BeOfType<PostgresException>();
        }
        finally
        {
            await drop();
        }
    }

    [Test]
    public async Task A_schema_the_role_may_not_create_gets_a_message_naming_it()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        (string connection, Func<Task> drop) = await RoleAsync(db, string.Empty);
        try
        {
            var options = new MigrationOptions { ConnectionString = connection, Schema = "app" };
            var runner = new MigrationRunner(OneTable, new PostgresMigrationStore(options), options);

            MigrationException error = (await runner.Invoking(r => r.UpAsync()).Should().ThrowAsync<MigrationException>()).Which;

            error.Message.Should().Contain("\"app\"").And.Contain("42501").And.Contain("lacks a privilege");
        }
        finally
        {
            await drop();
        }
    }

    [Test]
    public async Task A_read_only_role_is_refused_before_anything_is_written_and_status_still_works()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Runners.For(db, OneTable).UpAsync();
        (string connection, Func<Task> drop) = await RoleAsync(db, string.Empty);
        await Db.ExecuteAsync(db.ConnectionString, $"GRANT SELECT ON schema_migrations TO {new NpgsqlConnectionStringBuilder(connection).Username}; ALTER ROLE {new NpgsqlConnectionStringBuilder(connection).Username} SET default_transaction_read_only = on");
        try
        {
            var options = new MigrationOptions { ConnectionString = connection };
            var runner = new MigrationRunner(new InMemoryMigrationSource().Add(1, "one", "CREATE TABLE one (id int);").Add(2, "two", "CREATE TABLE two (id int);"), new PostgresMigrationStore(options), options);

            MigrationStatus status = await runner.GetStatusAsync();
            MigrationException up = (await runner.Invoking(r => r.UpAsync()).Should().ThrowAsync<MigrationException>()).Which;
            MigrationException force = (await runner.Invoking(r => r.ForceAsync(2)).Should().ThrowAsync<MigrationException>()).Which;

            status.CurrentVersion.Should().Be(1);
            up.Message.Should().Contain("is read-only").And.Contain("default_transaction_read_only").And.Contain("nothing was changed");
            force.Message.Should().Contain("is read-only");
            (await Db.HistoryAsync(db.ConnectionString)).Should().Equal((1L, false));
        }
        finally
        {
            await drop();
        }
    }
}
