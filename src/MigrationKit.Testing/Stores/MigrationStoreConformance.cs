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
public sealed partial class MigrationStoreConformance
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
