using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// <see cref="PostgresServer.VerifyAsync"/>: each migration up, down (then the catalog compared with the one before the
/// up), and up again, on an empty throwaway database, through the public runner API only.
/// </summary>
internal static class MigrationVerifier
{
    private const string DatabasePrefix = "mk_verify_";

    public static async Task<VerificationReport> VerifyAsync(
        PostgresServer server, IReadOnlyList<Migration> migrations, MigrationOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var logger = loggerFactory.CreateLogger<PostgresServer>();
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        var results = new List<MigrationVerification>(ordered.Count);
        var scope = CatalogScope.For(options);

        var database = await server.CreateEmptyDatabaseAsync(DatabasePrefix, cancellationToken).ConfigureAwait(false);
        await using (database.ConfigureAwait(false))
        {
            // A data source of its own, disposed before the database is dropped, so no pooled connection outlives it.
            var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = true }.ConnectionString);
            await using (dataSource.ConfigureAwait(false))
            {
                var store = new PostgresMigrationStore(dataSource, options, loggerFactory.CreateLogger<PostgresMigrationStore>());
                var runner = new MigrationRunner(new InMemoryMigrationSource(ordered), store, options, loggerFactory.CreateLogger<MigrationRunner>());
                var before = await CatalogSnapshot.ReadAsync(dataSource, scope, cancellationToken).ConfigureAwait(false);
                foreach (var migration in ordered)
                {
                    if (results.Count > 0 && results[^1].Outcome is VerificationOutcome.Failed or VerificationOutcome.NotRun)
                    {
                        results.Add(NotRun(migration));
                        continue;
                    }

                    var (verification, after) = await VerifyOneAsync(runner, dataSource, scope, migration, before, cancellationToken).ConfigureAwait(false);
                    Log.MigrationVerified(logger, migration.Version, migration.Description, verification.Outcome);
                    results.Add(verification);
                    before = after ?? before;
                }
            }
        }

        var report = new VerificationReport { Migrations = results, Duration = stopwatch.Elapsed, ServerVersion = server.ServerVersion };
        var verified = results.Count(m => m.IsVerified);
        Log.VerificationCompleted(logger, verified, results.Count, (long)report.Duration.TotalMilliseconds);
        return report;
    }

    /// <summary>Verifies one migration; returns the catalog after it, the next migration's "before", or null when it failed.</summary>
    private static async Task<(MigrationVerification Verification, CatalogSnapshot? After)> VerifyOneAsync(
        MigrationRunner runner, NpgsqlDataSource dataSource, CatalogScope scope, Migration migration, CatalogSnapshot before, CancellationToken cancellationToken)
    {
        var verification = new MigrationVerification
        {
            Version = migration.Version,
            Description = migration.Description,
            UpOrigin = migration.Up.Origin,
            DownOrigin = migration.Down?.Origin,
            Outcome = VerificationOutcome.Verified,
        };

        try
        {
            verification = verification with { UpDuration = Executed(await runner.UpAsync(1, cancellationToken).ConfigureAwait(false), migration, MigrationDirection.Up) };
        }
        catch (MigrationFailedException exception)
        {
            return (Failed(verification, VerificationStep.Up, exception), null);
        }

        if (migration.Down is null)
        {
            var upOnly = await CatalogSnapshot.ReadAsync(dataSource, scope, cancellationToken).ConfigureAwait(false);
            return (verification with { Outcome = VerificationOutcome.UpOnly }, upOnly);
        }

        try
        {
            verification = verification with { DownDuration = Executed(await runner.DownAsync(1, cancellationToken).ConfigureAwait(false), migration, MigrationDirection.Down) };
        }
        catch (MigrationFailedException exception)
        {
            return (Failed(verification, VerificationStep.Down, exception), null);
        }

        var afterDown = await CatalogSnapshot.ReadAsync(dataSource, scope, cancellationToken).ConfigureAwait(false);
        var differences = CatalogDiff.Compare(before, afterDown);
        verification = verification with
        {
            Differences = differences,
            Outcome = differences.Count == 0 ? VerificationOutcome.Verified : VerificationOutcome.SchemaDiffers,
        };

        try
        {
            verification = verification with { ReUpDuration = Executed(await runner.UpAsync(1, cancellationToken).ConfigureAwait(false), migration, MigrationDirection.Up) };
        }
        catch (MigrationFailedException exception)
        {
            return (Failed(verification, VerificationStep.ReUp, exception), null);
        }

        var after = await CatalogSnapshot.ReadAsync(dataSource, scope, cancellationToken).ConfigureAwait(false);
        return (verification, after);
    }

    /// <summary>The duration of the one script a run executed, which must be this migration's.</summary>
    private static TimeSpan Executed(MigrationReport report, Migration migration, MigrationDirection direction)
    {
        var executed = report.Executed.FirstOrDefault(e => e.Version == migration.Version && e.Direction == direction);
        return executed?.Duration ?? throw new InvalidOperationException(
            $"Verifying migration {migration.Version} ({migration.Description}): the runner was asked for one {direction} step and ran " +
            (report.Executed.Count == 0 ? "nothing" : string.Join(", ", report.Executed.Select(e => $"{e.Direction} {e.Version}"))) +
            ". This is a bug in MigrationKit.Testing; please report it.");
    }

    private static MigrationVerification Failed(MigrationVerification verification, VerificationStep step, MigrationFailedException exception) =>
        verification with { Outcome = VerificationOutcome.Failed, FailedStep = step, Failure = exception };

    private static MigrationVerification NotRun(Migration migration) => new()
    {
        Version = migration.Version,
        Description = migration.Description,
        UpOrigin = migration.Up.Origin,
        DownOrigin = migration.Down?.Origin,
        Outcome = VerificationOutcome.NotRun,
    };
}
