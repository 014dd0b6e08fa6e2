using System.Globalization;

namespace MigrationKit.Testing.Stores;

/// <summary>
/// The contract of <see cref="IMigrationStore"/> as a suite of named checks, in the spirit of golang-migrate's
/// <c>database/testing</c>: any store (the PostgreSQL store in both lock modes, the in-memory store, yours) must pass
/// every one. Each check asks for a new store on an empty history; run them one per test case
/// (<see cref="CheckNames"/>, <see cref="RunAsync"/>) or all at once (<see cref="RunAllAsync"/>).
/// </summary>
/// <remarks>
/// The checks use SQL that any PostgreSQL accepts (tables named <c>conformance_*</c>) and <see cref="FailingScript"/>
/// for a script that must fail; a store that runs no SQL (the in-memory one) fails that script by its own rule.
/// </remarks>
public sealed class MigrationStoreConformance
{
    private static readonly (string Name, Func<MigrationStoreConformance, CancellationToken, Task> Run)[] Checks =
    [
        ("A new store has no history", (c, t) => c.NewStoreHasNoHistoryAsync(t)),
        ("Preparing the history creates an empty one", (c, t) => c.PrepareCreatesEmptyHistoryAsync(t)),
        ("Applying up records the version with its checksum", (c, t) => c.UpRecordsAsync(t)),
        ("Applying down deletes the version's row", (c, t) => c.DownDeletesAsync(t)),
        ("A script outside a transaction is recorded clean once it ran", (c, t) => c.OutsideTransactionRecordsCleanAsync(t)),
        ("A failed transactional script records nothing", (c, t) => c.FailedTransactionalRecordsNothingAsync(t)),
        ("A failed script outside a transaction leaves its version dirty", (c, t) => c.FailedOutsideTransactionIsDirtyAsync(t)),
        ("A version already recorded is neither run again nor marked dirty", (c, t) => c.AlreadyRecordedIsRefusedAsync(t)),
        ("Writing the history needs the lock", (c, t) => c.WritesNeedTheLockAsync(t)),
        ("The lock is exclusive across sessions and free again after release", (c, t) => c.LockIsExclusiveAsync(t)),
        ("Releasing a lock that is not held does nothing", (c, t) => c.ReleaseWithoutLockAsync(t)),
        ("Force deletes the rows above the version, clears dirty flags and records the missing ones as forced", (c, t) => c.ForceAsync(t)),
        ("Force to no version deletes every row", (c, t) => c.ForceToNoneAsync(t)),
        ("Baseline records the migrations as baselined", (c, t) => c.BaselineAsync(t)),
        ("Repair re-records checksums and nothing else", (c, t) => c.RepairAsync(t)),
        ("Drop removes the history", (c, t) => c.DropAsync(t)),
        ("The versions-only read agrees with the full read", (c, t) => c.VersionsReadAgreesAsync(t)),
    ];

    private readonly Func<MigrationOptions, CancellationToken, Task<IMigrationStore>> _createStore;

    /// <summary>Creates the suite for one kind of store.</summary>
    /// <param name="createStore">
    /// Makes a new store on an empty history (for a database store: a new empty database) with the given options,
    /// which set a short <see cref="MigrationOptions.LockTimeout"/> for the lock checks.
    /// </param>
    public MigrationStoreConformance(Func<MigrationOptions, CancellationToken, Task<IMigrationStore>> createStore)
    {
        ArgumentNullException.ThrowIfNull(createStore);
        _createStore = createStore;
    }

    /// <summary>Gets the names of the checks, stable, for one test case each.</summary>
    public static IReadOnlyList<string> CheckNames { get; } = [.. Checks.Select(c => c.Name)];

    /// <summary>Gets or sets a script the store must fail to run.</summary>
    /// <value>The default, <c>SELECT 1/0;</c>, fails on PostgreSQL.</value>
    public string FailingScript { get; init; } = "SELECT 1/0;";

    /// <summary>Gets or sets the lock timeout the lock checks use.</summary>
    /// <value>The default is 300 ms.</value>
    public TimeSpan ShortLockTimeout { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Runs one check.</summary>
    /// <param name="name">One of <see cref="CheckNames"/>.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the check passed.</returns>
    /// <exception cref="MigrationStoreConformanceException">The store broke the contract.</exception>
    public Task RunAsync(string name, CancellationToken cancellationToken = default)
    {
        foreach ((string checkName, Func<MigrationStoreConformance, CancellationToken, Task> run) in Checks)
        {
            if (checkName == name)
            {
                return run(this, cancellationToken);
            }
        }

        throw new ArgumentException($"No conformance check is named '{name}'.", nameof(name));
    }

    /// <summary>Runs every check, and reports every failure at once.</summary>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <returns>A task that completes when every check passed.</returns>
    /// <exception cref="MigrationStoreConformanceException">The store broke the contract; the message lists each failed check.</exception>
    public async Task RunAllAsync(CancellationToken cancellationToken = default)
    {
        var failures = new List<Exception>();
        foreach ((string name, Func<MigrationStoreConformance, CancellationToken, Task> run) in Checks)
        {
            try
            {
                await run(this, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add(new MigrationStoreConformanceException($"{name}: {ex.Message}", ex));
            }
        }

        if (failures.Count > 0)
        {
            throw new MigrationStoreConformanceException(
                $"{failures.Count} of {Checks.Length} checks failed:{Environment.NewLine}" + string.Join(Environment.NewLine, failures.Select(f => "  " + f.Message)),
                new AggregateException(failures));
        }
    }

    private static Migration Table(long version, bool outsideTransaction = false)
    {
        string name = "conformance_" + version.ToString(CultureInfo.InvariantCulture);
        string directive = outsideTransaction ? "-- migrationkit:no-transaction\n" : string.Empty;
        return new Migration(
            version,
            "create_" + name,
            new MigrationScript($"{directive}CREATE TABLE {name} (id int);", $"{version}_create_{name}.up.sql"),
            new MigrationScript($"{directive}DROP TABLE {name};", $"{version}_create_{name}.down.sql"));
    }

    private Migration Failing(long version, bool outsideTransaction) => new(
        version,
        "fails",
        new MigrationScript((outsideTransaction ? "-- migrationkit:no-transaction\n" : string.Empty) + FailingScript, $"{version}_fails.up.sql"));

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new MigrationStoreConformanceException(what);
        }
    }

    private static string Versions(IEnumerable<AppliedMigration> rows) => "[" + string.Join(", ", rows.Select(r => r.Version)) + "]";

    private async Task<IMigrationStoreSession> OpenAsync(CancellationToken cancellationToken, IMigrationStore? store = null)
    {
        store ??= await _createStore(new MigrationOptions { LockTimeout = ShortLockTimeout }, cancellationToken).ConfigureAwait(false);
        return await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A session with the lock held and the history prepared.</summary>
    private async Task<IMigrationStoreSession> OpenLockedAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await session.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        await session.PrepareHistoryAsync([], cancellationToken).ConfigureAwait(false);
        return session;
    }

    private static async Task<IReadOnlyList<AppliedMigration>> RowsAsync(IMigrationStoreSession session, CancellationToken cancellationToken) =>
        (await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false)).Applied;

    private async Task NewStoreHasNoHistoryAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            Expect(history.Format == HistoryFormat.None, $"a new store's history format is {history.Format}, expected None");
            Expect(history.Applied.Count == 0, $"a new store records {Versions(history.Applied)}");
            Expect(await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false) is null, "ReadVersionsAsync of a store with no history table is not null");
        }
    }

    private async Task PrepareCreatesEmptyHistoryAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            Expect(history.Format == HistoryFormat.MigrationKit && history.Applied.Count == 0, $"after PrepareHistoryAsync the history is {history.Format} with {Versions(history.Applied)}");
            IReadOnlyList<AppliedVersion>? versions = await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false);
            Expect(versions is { Count: 0 }, "ReadVersionsAsync of an empty prepared history is not an empty list");
        }
    }

    private async Task UpRecordsAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration migration = Table(0);
            await session.ApplyAsync(new PlannedMigration(migration, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1, $"after one up the history records {Versions(rows)}");
            AppliedMigration row = rows[0];
            Expect(row.Version == 0, $"version 0 was recorded as {row.Version}");
            Expect(row.Description == migration.Description, $"the description was recorded as '{row.Description}'");
            Expect(row.Checksum == migration.Up.Checksum, $"the checksum was recorded as '{row.Checksum}'");
            Expect(!row.IsDirty, "the row is dirty");
            Expect(row.Kind == HistoryRecordKind.Applied, $"the row was recorded as {row.Kind}");
        }
    }

    private async Task DownDeletesAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(1), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ApplyAsync(new PlannedMigration(Table(2), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ApplyAsync(new PlannedMigration(Table(2), MigrationDirection.Down), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Select(r => r.Version).SequenceEqual([1L]), $"after up 1, up 2, down 2 the history records {Versions(rows)}");
        }
    }

    private async Task OutsideTransactionRecordsCleanAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(3, outsideTransaction: true), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1 && rows[0].Version == 3 && !rows[0].IsDirty, $"after a script outside a transaction the history is {Versions(rows)} (dirty: {rows.Any(r => r.IsDirty)})");
        }
    }

    private async Task FailedTransactionalRecordsNothingAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await ExpectFailureAsync(() => session.ApplyAsync(new PlannedMigration(Failing(4, outsideTransaction: false), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 0, $"a failed transactional script left {Versions(rows)} in the history");
        }
    }

    private async Task FailedOutsideTransactionIsDirtyAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationFailedException failure = await ExpectFailureAsync(
                () => session.ApplyAsync(new PlannedMigration(Failing(5, outsideTransaction: true), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            Expect(failure.RanOutsideTransaction, "the failure does not say the script ran outside a transaction");
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1 && rows[0].Version == 5 && rows[0].IsDirty, $"a failed script outside a transaction left {Versions(rows)} (dirty: {rows.Any(r => r.IsDirty)}), expected version 5 dirty");
        }
    }

    private async Task AlreadyRecordedIsRefusedAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration inside = Table(6);
            Migration outside = Table(7, outsideTransaction: true);
            await session.ApplyAsync(new PlannedMigration(inside, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ApplyAsync(new PlannedMigration(outside, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            foreach (Migration again in new[] { inside, outside })
            {
                Exception? error = await CatchAsync(() => session.ApplyAsync(new PlannedMigration(again, MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
                Expect(error is MigrationException, $"applying recorded version {again.Version} again did not fail with a MigrationException ({error?.GetType().Name ?? "no exception"})");
            }

            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 2 && rows.All(r => !r.IsDirty), $"after the refused re-runs the history is {Versions(rows)} (dirty: {rows.Any(r => r.IsDirty)}): a clean row must never be marked dirty again");
        }
    }

    private async Task WritesNeedTheLockAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Exception? error = await CatchAsync(() => session.ApplyAsync(new PlannedMigration(Table(8), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            Expect(error is InvalidOperationException, $"ApplyAsync without the lock threw {error?.GetType().Name ?? "nothing"}, expected InvalidOperationException");
            error = await CatchAsync(() => session.ForceAsync(null, [], cancellationToken)).ConfigureAwait(false);
            Expect(error is InvalidOperationException, $"ForceAsync without the lock threw {error?.GetType().Name ?? "nothing"}, expected InvalidOperationException");
        }
    }

    private async Task LockIsExclusiveAsync(CancellationToken cancellationToken)
    {
        IMigrationStore store = await _createStore(new MigrationOptions { LockTimeout = ShortLockTimeout }, cancellationToken).ConfigureAwait(false);
        IMigrationStoreSession first = await OpenAsync(cancellationToken, store).ConfigureAwait(false);
        await using (first.ConfigureAwait(false))
        {
            IMigrationStoreSession second = await OpenAsync(cancellationToken, store).ConfigureAwait(false);
            await using (second.ConfigureAwait(false))
            {
                await first.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
                Exception? error = await CatchAsync(() => second.AcquireLockAsync(cancellationToken)).ConfigureAwait(false);
                Expect(error is MigrationLockTimeoutException, $"a second session took the held lock ({error?.GetType().Name ?? "no exception"}, expected MigrationLockTimeoutException)");
                await first.ReleaseLockAsync(cancellationToken).ConfigureAwait(false);
                error = await CatchAsync(() => second.AcquireLockAsync(cancellationToken)).ConfigureAwait(false);
                Expect(error is null, $"the second session could not take the lock after the first released it: {error?.Message}");
                await second.ReleaseLockAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReleaseWithoutLockAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Exception? error = await CatchAsync(() => session.ReleaseLockAsync(cancellationToken)).ConfigureAwait(false);
            Expect(error is null, $"releasing a lock that is not held threw {error?.GetType().Name}");
        }
    }

    private async Task ForceAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration[] all = [Table(1), Table(2), Table(3), Table(4)];
            await session.ApplyAsync(new PlannedMigration(all[0], MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await ExpectFailureAsync(() => session.ApplyAsync(new PlannedMigration(Failing(4, outsideTransaction: true), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            await session.ForceAsync(3, [.. all.Take(3)], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Select(r => r.Version).SequenceEqual([1L, 2L, 3L]), $"after force 3 the history records {Versions(rows)}, expected [1, 2, 3]");
            Expect(rows.All(r => !r.IsDirty), "force left a dirty row");
            Expect(rows[0].Kind == HistoryRecordKind.Applied, $"force changed the applied row 1 to {rows[0].Kind}");
            Expect(rows[1].Kind == HistoryRecordKind.Forced && rows[2].Kind == HistoryRecordKind.Forced, $"rows 2 and 3 were recorded as {rows[1].Kind} and {rows[2].Kind}, expected Forced");
            Expect(rows[2].Checksum == all[2].Up.Checksum, "a forced row does not carry the source's checksum");
        }
    }

    private async Task ForceToNoneAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(0), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ForceAsync(null, [], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 0, $"after force to none the history records {Versions(rows)}");
        }
    }

    private async Task BaselineAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.BaselineAsync([Table(1), Table(2)], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 2 && rows.All(r => r.Kind == HistoryRecordKind.Baselined && !r.IsDirty), $"after a baseline of 1 and 2 the history is {Versions(rows)} ({string.Join(", ", rows.Select(r => r.Kind))})");
        }
    }

    private async Task RepairAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration original = Table(1);
            await session.ApplyAsync(new PlannedMigration(original, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            var edited = new Migration(1, original.Description, new MigrationScript(original.Up.Sql + "\n-- a comment", original.Up.Origin), original.Down);
            await session.RepairAsync([edited], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1 && rows[0].Checksum == edited.Up.Checksum, "repair did not record the edited script's checksum");
            Expect(rows[0].Kind == HistoryRecordKind.Applied && rows[0].Description == original.Description, "repair changed more than the checksum");
        }
    }

    private async Task DropAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(1), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.DropAsync(cancellationToken).ConfigureAwait(false);
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            Expect(history.Format == HistoryFormat.None && history.Applied.Count == 0, $"after drop the history is {history.Format} with {Versions(history.Applied)}");
        }
    }

    private async Task VersionsReadAgreesAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(1), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await ExpectFailureAsync(() => session.ApplyAsync(new PlannedMigration(Failing(2, outsideTransaction: true), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            IReadOnlyList<AppliedVersion>? versions = await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(
                versions is not null && versions.OrderBy(v => v.Version).SequenceEqual(rows.Select(r => new AppliedVersion(r.Version, r.IsDirty))),
                $"ReadVersionsAsync gave [{string.Join(", ", versions ?? [])}] where the history is {Versions(rows)}");
        }
    }

    private static async Task<MigrationFailedException> ExpectFailureAsync(Func<Task> action)
    {
        Exception? error = await CatchAsync(action).ConfigureAwait(false);
        return error as MigrationFailedException
            ?? throw new MigrationStoreConformanceException($"the failing script threw {error?.GetType().Name ?? "nothing"}, expected MigrationFailedException", error);
    }

    private static async Task<Exception?> CatchAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex;
        }
    }
}
