using MigrationKit.Testing;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

[Parallelizable(ParallelScope.All)]
public sealed class ConnectionErrorTests
{
    private const string Secret = "s3cret-Pa55word";

    [Test]
    public async Task An_unreachable_host_gives_a_clear_error_without_the_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(TestServer.ConnectionString) { Host = "127.0.0.1", Port = 1, Password = Secret, Timeout = 3 };

        MigrationConnectionException error = await UpAsync(builder.ConnectionString);

        error.Message.Should().Contain("127.0.0.1:1").And.Contain("connection refused").And.NotContain(Secret);
        error.IsTransient.Should().BeTrue();
        error.ToString().Should().NotContain(Secret);
    }

    [Test]
    public async Task A_missing_database_gives_a_clear_error_without_the_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(TestServer.ConnectionString) { Database = "no_such_database_here", Password = Secret };

        MigrationConnectionException error = await UpAsync(builder.ConnectionString);

        error.Message.Should().Contain("no_such_database_here").And.Contain("does not exist").And.NotContain(Secret);
        error.IsTransient.Should().BeFalse();
        error.ToString().Should().NotContain(Secret);
    }

    [Test]
    public async Task A_wrong_password_gives_a_clear_error_without_the_password()
    {
        if (!TestServer.HasPasswordUser)
        {
            Assert.Ignore("Only a private cluster of this run is set up with a password-protected role.");
        }

        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = TestServer.PasswordUser, Password = Secret };

        MigrationConnectionException error = await UpAsync(builder.ConnectionString);

        error.Message.Should().Contain("refused the credentials (28P01)").And.Contain(TestServer.PasswordUser).And.NotContain(Secret);
        error.ToString().Should().NotContain(Secret);
    }

    private static async Task<MigrationConnectionException> UpAsync(string connectionString)
    {
        var options = new MigrationOptions { ConnectionString = connectionString };
        var runner = new MigrationRunner(new InMemoryMigrationSource().Add(1, "a", "SELECT 1"), new PostgresMigrationStore(options), options);
        Func<Task> up = () => runner.UpAsync();
        return (await up.Should().ThrowAsync<MigrationConnectionException>()).Which;
    }
}
