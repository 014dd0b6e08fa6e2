using System.Diagnostics;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>Several independent private clusters in one test process, e.g. the shards of a fleet test.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ServerGroupTests
{
    [Test]
    public async Task Three_servers_started_at_once_are_independent_clusters()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var shards = await PostgresServerGroup.StartAsync(3, TestSupport.LocalClusterOptions());
        TestContext.Out.WriteLine($"three clusters started in {stopwatch.ElapsedMilliseconds} ms");

        shards.Should().HaveCount(3);
        shards.Select(s => s.Kind).Should().AllBeEquivalentTo(PostgresServerKind.LocalCluster);
        shards.Select(s => new NpgsqlConnectionStringBuilder(s.ConnectionString).Port).Should().OnlyHaveUniqueItems();
        var identities = new List<string>();
        foreach (var shard in shards)
        {
            identities.Add(await TestSupport.ScalarAsync<string>(
                shard.ConnectionString, "SELECT current_setting('data_directory') || ' ' || (SELECT system_identifier FROM pg_control_system())"));
        }

        identities.Should().OnlyHaveUniqueItems();

        // Separate catalogs: the same database name on each, a table made on one only.
        foreach (var shard in shards)
        {
            await ExecuteAsync(shard.ConnectionString, "CREATE DATABASE shard");
        }

        await ExecuteAsync(shards[0].GetConnectionString("shard"), "CREATE TABLE only_on_the_first (id int)");
        (await TestSupport.ScalarAsync<long>(shards[1].GetConnectionString("shard"), "SELECT count(*) FROM pg_class WHERE relname = 'only_on_the_first'"))
            .Should().Be(0);

        // Separate lock spaces: an advisory lock held on one does not block the same key on another.
        await using var holder = new NpgsqlConnection(shards[0].ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(77)", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        (await TestSupport.ScalarAsync<bool>(shards[2].ConnectionString, "SELECT pg_try_advisory_lock(77)")).Should().BeTrue();

        // Separate processes: one stopped, the others answer.
        await shards[1].StopServerAsync("immediate");
        (await TestSupport.ScalarAsync<int>(shards[0].ConnectionString, "SELECT 1")).Should().Be(1);
        (await TestSupport.ScalarAsync<int>(shards[2].ConnectionString, "SELECT 1")).Should().Be(1);
    }

    [Test]
    public async Task Disposing_the_group_stops_every_server_and_deletes_every_folder()
    {
        var shards = await PostgresServerGroup.StartAsync(3, TestSupport.LocalClusterOptions());
        var folders = shards.Select(s => s.Cluster!.Folder).ToArray();
        var postmasters = shards.Select(s => TestSupport.PostmasterPid(s.Cluster!.DataDirectory)).ToArray();

        var stopwatch = Stopwatch.StartNew();
        await shards.DisposeAsync();
        TestContext.Out.WriteLine($"three clusters stopped in {stopwatch.ElapsedMilliseconds} ms");

        postmasters.Should().OnlyContain(pid => !ProcessLiveness.IsRunning(pid, null));
        folders.Should().OnlyContain(folder => !Directory.Exists(folder));
    }

    [Test]
    public async Task A_group_is_separate_servers_even_when_MIGRATIONKIT_TEST_CONNECTION_names_one()
    {
        var before = Environment.GetEnvironmentVariable(PostgresServerOptions.ConnectionStringEnvironmentVariable);
        await using var external = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());
        Environment.SetEnvironmentVariable(PostgresServerOptions.ConnectionStringEnvironmentVariable, external.ConnectionString);
        try
        {
            await using (var plain = await PostgresServer.StartAsync(new PostgresServerOptions { AllowContainer = false }))
            {
                plain.Kind.Should().Be(PostgresServerKind.External, "without the group every call would get the one named server");
            }

            await using var shards = await PostgresServerGroup.StartAsync(2, new PostgresServerOptions { AllowContainer = false });

            shards.Select(s => s.Kind).Should().AllBeEquivalentTo(PostgresServerKind.LocalCluster);
            shards.Select(s => s.ConnectionString).Should().NotContain(external.ConnectionString).And.OnlyHaveUniqueItems();
        }
        finally
        {
            Environment.SetEnvironmentVariable(PostgresServerOptions.ConnectionStringEnvironmentVariable, before);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
