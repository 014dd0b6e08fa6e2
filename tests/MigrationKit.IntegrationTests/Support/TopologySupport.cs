using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.IntegrationTests.Support;

/// <summary>
/// What the topology tests share: a real PgBouncer in front of the test server (skipped, with the reason, only where
/// PgBouncer or a private cluster cannot be had), and looks from outside at what a run left behind on the server: advisory
/// locks, the lease row, the settings of every pooled server connection.
/// </summary>
internal static class TopologySupport
{
    /// <summary>The lease table beside the default history table.</summary>
    public const string LeaseTable = "public.schema_migrations_lock";

    /// <summary>
    /// Ignores the calling test (fixture) unless a PgBouncer can be put in front of the test server: the program must be
    /// there, and the server must be the private cluster of this run (PgBouncer looks passwords up as its superuser).
    /// </summary>
    public static async Task RequirePgBouncerAsync()
    {
        if (await PgBouncer.WhyUnavailableAsync() is { } whyNot)
        {
            Assert.Ignore(whyNot);
        }

        RequireLocalCluster("a PgBouncer is put in front of the private cluster of the test run");
    }

    /// <summary>Ignores the calling test (fixture) unless the test server is a private cluster started from the local binaries.</summary>
    public static void RequireLocalCluster(string why)
    {
        if (TestServer.Server.Kind != PostgresServerKind.LocalCluster)
        {
            Assert.Ignore($"Needs a private cluster from the local PostgreSQL binaries ({why}); this run uses a server of kind {TestServer.Server.Kind} (MIGRATIONKIT_TEST_CONNECTION or a container).");
        }
    }

    /// <summary>A transaction-mode PgBouncer with four server connections per database in front of the test server.</summary>
    public static Task<PgBouncer> StartPoolerAsync(PgBouncerPoolMode mode = PgBouncerPoolMode.Transaction) =>
        PgBouncer.StartAsync(TestServer.Server, new PgBouncerSettings { PoolMode = mode, DefaultPoolSize = 4 });

    /// <summary>
    /// Ignores the calling fixture unless a standby can be made here, and starts a primary of its own (a private cluster,
    /// so that what the tests do to it never reaches the other tests).
    /// </summary>
    public static async Task<PostgresServer> StartOwnPrimaryAsync(bool synchronousCommit = false)
    {
        RequireLocalCluster("a standby is a copy of a private cluster made with pg_basebackup");
        var primary = await PostgresServer.StartAsync(
            new PostgresServerOptions { AllowContainer = false, IgnoreEnvironmentVariable = true, SynchronousCommit = synchronousCommit });
        if (PostgresStandby.WhyUnavailable(primary) is { } whyNot)
        {
            await primary.DisposeAsync();
            Assert.Ignore(whyNot);
        }

        return primary;
    }

    /// <summary>Advisory locks held (or waited for) in the database, seen on a direct connection to the server.</summary>
    public static Task<long> AdvisoryLocksAsync(string directConnectionString) =>
        Db.ScalarAsync<long>(
            Unpooled(directConnectionString),
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");

    /// <summary>The rows of the lease table, or <see langword="null"/> when there is no lease table.</summary>
    public static async Task<long?> LeaseRowsAsync(string connectionString) =>
        await ExistsAsync(connectionString, LeaseTable)
            ? await Db.ScalarAsync<long>(Unpooled(connectionString), $"SELECT count(*) FROM {LeaseTable}")
            : null;

    /// <summary>Whether a table exists.</summary>
    public static Task<bool> ExistsAsync(string connectionString, string table) =>
        Db.ScalarAsync<bool>(Unpooled(connectionString), "SELECT to_regclass($1) IS NOT NULL", table);

    /// <summary>
    /// The session settings of every server connection PgBouncer holds for <paramref name="database"/>, as a client meets
    /// them: as many clients as the pool has server connections each open a transaction at once, so each runs on
    /// another server connection, and read the settings there. Returns (server pid, setting values) for each, and the
    /// server pids PgBouncer listed before, which must all be among them.
    /// </summary>
    public static async Task<(IReadOnlyList<(int Pid, string[] Values)> Seen, IReadOnlyList<int> Existing)> PooledSettingsAsync(
        PgBouncer pooler, string database, params string[] settings)
    {
        IReadOnlyList<int> existing = await pooler.ServerProcessIdsAsync(database);
        string through = pooler.GetConnectionString(database, pooling: false);
        var clients = new List<NpgsqlConnection>();
        var transactions = new List<NpgsqlTransaction>();
        var seen = new List<(int, string[])>();
        try
        {
            for (int i = 0; i < pooler.DefaultPoolSize; i++)
            {
                var client = new NpgsqlConnection(through);
                clients.Add(client);
                await client.OpenAsync();
                transactions.Add(await client.BeginTransactionAsync());
                string select = "SELECT pg_backend_pid()" + string.Concat(settings.Select(s => $", current_setting('{s}')"));
                await using var command = new NpgsqlCommand(select, client);
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
                await reader.ReadAsync();
                seen.Add((reader.GetInt32(0), [.. settings.Select((_, index) => reader.GetString(index + 1))]));
            }
        }
        finally
        {
            foreach (NpgsqlTransaction transaction in transactions)
            {
                await transaction.RollbackAsync();
            }

            foreach (NpgsqlConnection client in clients)
            {
                await client.DisposeAsync();
            }
        }

        return (seen, existing);
    }

    /// <summary>The same connection string without Npgsql's pool: Npgsql's reset on return (DISCARD ALL) would hide what a run left on a session.</summary>
    public static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
