using System.Text;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>Throwaway databases on one shared private cluster.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ThrowawayDatabaseTests
{
    private PostgresServer server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => server = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());

    [OneTimeTearDown]
    public async Task StopServer() => await server.DisposeAsync();

    [Test]
    public async Task Created_databases_are_distinct_connectable_and_named_with_the_default_prefix()
    {
        await using var first = await server.CreateEmptyDatabaseAsync();
        await using var second = await server.CreateEmptyDatabaseAsync();

        first.Name.Should().NotBe(second.Name);
        foreach (var database in new[] { first, second })
        {
            database.Name.Should().MatchRegex("^mk_test_[0-9a-f]{16}$");
            Encoding.UTF8.GetByteCount(database.Name).Should().BeLessThanOrEqualTo(63);
            database.ConnectionString.Should().Be(server.GetConnectionString(database.Name));
            (await TestSupport.ScalarAsync<string>(database.ConnectionString, "SELECT current_database()")).Should().Be(database.Name);
            (await TestSupport.ScalarAsync<long>(
                database.ConnectionString,
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"))
                .Should().Be(0, "the database is empty");
        }
    }

    [Test]
    public async Task A_custom_prefix_is_lowercased()
    {
        await using var database = await server.CreateEmptyDatabaseAsync("My_Tests_");

        database.Name.Should().StartWith("my_tests_");
    }

    [TestCase("has space")]
    [TestCase("quote\"")]
    [TestCase("dash-")]
    [TestCase("1digit_first")]
    [TestCase("ünï")]
    public async Task A_prefix_with_other_characters_is_rejected(string prefix)
    {
        var create = () => server.CreateEmptyDatabaseAsync(prefix);

        await create.Should().ThrowAsync<ArgumentException>().WithParameterName("namePrefix");
    }

    [Test]
    public async Task A_prefix_that_would_make_the_name_longer_than_63_bytes_is_rejected()
    {
        await using var longest = await server.CreateEmptyDatabaseAsync(new string('a', 47));
        longest.Name.Length.Should().Be(63);

        var create = () => server.CreateEmptyDatabaseAsync(new string('a', 48));

        await create.Should().ThrowAsync<ArgumentException>().WithParameterName("namePrefix");
    }

    [Test]
    public async Task Dispose_drops_the_database_even_while_a_connection_to_it_is_open()
    {
        var database = await server.CreateEmptyDatabaseAsync();
        await using var open = new NpgsqlConnection(database.ConnectionString);
        await open.OpenAsync();
        await using (var idle = new NpgsqlConnection(database.ConnectionString))
        {
            await idle.OpenAsync(); // returns to the pool as an idle connection
        }

        await database.DisposeAsync();

        (await TestSupport.EventuallyAsync(async () => !await DatabaseExistsAsync(database.Name), TimeSpan.FromSeconds(10)))
            .Should().BeTrue("the drop queued by DisposeAsync runs in the background");
        await database.DisposeAsync(); // a second dispose does nothing
    }

    [Test]
    public async Task DropAsync_drops_the_database_before_it_returns_even_while_a_connection_to_it_is_open()
    {
        var database = await server.CreateEmptyDatabaseAsync();
        await using var open = new NpgsqlConnection(database.ConnectionString);
        await open.OpenAsync();

        await database.DropAsync();

        (await DatabaseExistsAsync(database.Name)).Should().BeFalse();
        var again = async () => await database.DropAsync();
        await again.Should().NotThrowAsync("a second drop does nothing");
    }

    [Test]
    public async Task Disposing_a_database_after_its_server_does_nothing()
    {
        var otherServer = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());
        var database = await otherServer.CreateEmptyDatabaseAsync();
        await otherServer.DisposeAsync();

        var dispose = async () => await database.DisposeAsync();

        await dispose.Should().NotThrowAsync();
    }

    [Test]
    public async Task A_disposed_server_creates_no_databases()
    {
        var otherServer = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());
        await otherServer.DisposeAsync();

        var create = () => otherServer.CreateEmptyDatabaseAsync();

        await create.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Test]
    public void GetConnectionString_changes_only_the_database()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.GetConnectionString("some_db"));
        var original = new NpgsqlConnectionStringBuilder(server.ConnectionString);

        builder.Database.Should().Be("some_db");
        builder.Host.Should().Be(original.Host);
        builder.Port.Should().Be(original.Port);
        builder.Username.Should().Be(original.Username);
        original.Database.Should().Be("postgres");
    }

    private async Task<bool> DatabaseExistsAsync(string name) =>
        await TestSupport.ScalarAsync<long>(server.ConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == 1;
}
