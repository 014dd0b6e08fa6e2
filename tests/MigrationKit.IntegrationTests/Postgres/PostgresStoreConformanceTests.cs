using MigrationKit.Postgres;
using MigrationKit.Testing;
using MigrationKit.Testing.Stores;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>The PostgreSQL store passes the store conformance suite in both lock modes, each check on a new database.</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class PostgresStoreConformanceTests
{
    private static IEnumerable<TestCaseData> Cases =>
        from mode in new[] { LockMode.Advisory, LockMode.Lease }
        from check in MigrationStoreConformance.CheckNames
        select new TestCaseData(mode, check).SetArgDisplayNames(mode.ToString(), check);

    [TestCaseSource(nameof(Cases))]
    public async Task The_postgres_store_conforms(LockMode mode, string check)
    {
        var databases = new List<ThrowawayDatabase>();
        try
        {
            var conformance = new MigrationStoreConformance(async (options, cancellationToken) =>
            {
                ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
                databases.Add(db);
                options.ConnectionString = db.ConnectionString;
                options.LockMode = mode;
                return new PostgresMigrationStore(options);
            });

            await conformance.RunAsync(check);
        }
        finally
        {
            foreach (ThrowawayDatabase db in databases)
            {
                await db.DisposeAsync();
            }
        }
    }
}
