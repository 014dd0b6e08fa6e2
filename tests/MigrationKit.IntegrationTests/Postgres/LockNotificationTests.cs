using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>Waiters for the migration lock are woken by a notification when the holder releases it.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class LockNotificationTests
{
    [Test]
    public async Task Releasing_the_lock_notifies_its_channel()
    {
        using var folder = new MigrationFolder().Up(1, "create_a", "CREATE TABLE a (id int);");
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        long key = MigrationLockKey.Compute(new NpgsqlConnectionStringBuilder(db.ConnectionString).Database!, "public", "schema_migrations");
        string channel = new LockChannel(key).Listen["LISTEN ".Length..].Trim('"');

        await using var listener = new NpgsqlConnection(db.ConnectionString);
        await listener.OpenAsync();
        var received = new List<string>();
        listener.Notification += (_, e) => received.Add(e.Channel);
        await using (var listen = new NpgsqlCommand(new LockChannel(key).Listen, listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await Runners.For(db, folder.Path).UpAsync();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (received.Count == 0)
        {
            await listener.WaitAsync(deadline.Token);
        }

        received.Should().Contain(channel);
    }
}
