namespace MigrationKit.Testing.Stores;

/// <summary>
/// A store that keeps the history and the lock in memory, for unit tests of code that drives a runner and for the
/// store conformance suite. It runs no SQL: a script "runs" by calling <see cref="Executor"/> (by default, nothing), and
/// fails when that throws. The lock is shared by every session of one instance, and waits up to
/// <see cref="MigrationOptions.LockTimeout"/> as the real one does.
/// </summary>
/// <remarks>Never a stand-in for the PostgreSQL store in tests of the store itself: those run against a real server.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose; stores are not disposable.")]
public sealed class InMemoryMigrationStore : IMigrationStore
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly object _gate = new();
    private readonly SortedDictionary<long, AppliedMigration> _rows = [];
    private readonly List<PlannedMigration> _executed = [];
    private readonly TimeProvider _time;
    private HistoryFormat _format = HistoryFormat.None;
    private long? _golangVersion;
    private bool _golangDirty;

    /// <summary>Creates an empty store.</summary>
    /// <param name="options">The options (the lock timeout); the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for lock waits, or <see langword="null"/> for the system clock.</param>
    public InMemoryMigrationStore(MigrationOptions? options = null, TimeProvider? timeProvider = null)
    {
        LockTimeout = (options ?? new MigrationOptions()).LockTimeout;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the name the store gives its history in messages.</summary>
    public string HistoryTable { get; init; } = "in-memory history";

    /// <summary>
    /// Gets the function that "runs" a planned script; throwing fails it (a transactional script then records nothing,
    /// a script outside a transaction leaves the version dirty). <see langword="null"/> runs nothing.
    /// </summary>
    public Func<PlannedMigration, CancellationToken, Task>? Executor { get; init; }

    /// <summary>Gets how long a session waits for the lock another session holds.</summary>
    public TimeSpan LockTimeout { get; }

    /// <summary>Gets the history rows as they stand, ordered by version.</summary>
    public IReadOnlyList<AppliedMigration> Rows
    {
        get
        {
            lock (_gate)
            {
                return [.. _rows.Values];
            }
        }
    }

    /// <summary>Gets every script that ran, in order, across sessions.</summary>
    public IReadOnlyList<PlannedMigration> Executed
    {
        get
        {
            lock (_gate)
            {
                return [.. _executed];
            }
        }
    }

    /// <summary>Gets a value indicating whether a session holds the lock now.</summary>
    public bool IsLocked => _lock.CurrentCount == 0;

    /// <summary>
    /// Makes the history look like a table golang-migrate left: its one row, or none for <see langword="null"/>. It is
    /// read as it is and adopted by the next run that writes, as the PostgreSQL store does.
    /// </summary>
    /// <param name="version">golang-migrate's version, or <see langword="null"/> for an empty table.</param>
    /// <param name="dirty">golang-migrate's dirty flag.</param>
    public void SetGolangMigrateHistory(long? version, bool dirty)
    {
        lock (_gate)
        {
            _rows.Clear();
            _format = HistoryFormat.GolangMigrate;
            _golangVersion = version;
            _golangDirty = dirty;
        }
    }

    /// <inheritdoc/>
    public Task<IMigrationStoreSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IMigrationStoreSession>(new Session(this));
    }

    private sealed class Session(InMemoryMigrationStore store) : IMigrationStoreSession
    {
        private bool _held;

        public string HistoryTable => store.HistoryTable;

        public Task<MigrationHistory> ReadHistoryAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (store._gate)
            {
                return Task.FromResult(store._format switch
                {
                    HistoryFormat.None => MigrationHistory.None,
                    HistoryFormat.GolangMigrate => new MigrationHistory
                    {
                        Format = HistoryFormat.GolangMigrate,
                        GolangMigrateVersion = store._golangVersion,
                        GolangMigrateDirty = store._golangDirty,
                    },
                    _ => new MigrationHistory { Format = HistoryFormat.MigrationKit, Applied = [.. store._rows.Values] },
                });
            }
        }

        public async Task AcquireLockAsync(CancellationToken cancellationToken = default)
        {
            if (_held)
            {
                return;
            }

            if (!await store._lock.WaitAsync(store.LockTimeout, cancellationToken).ConfigureAwait(false))
            {
                throw new MigrationLockTimeoutException(
                    $"Timed out after {store.LockTimeout} waiting for the migration lock of {HistoryTable}: another session of this in-memory store holds it.",
                    store.LockTimeout,
                    0,
                    null,
                    null,
                    null);
            }

            _held = true;
        }

        public Task ReleaseLockAsync(CancellationToken cancellationToken = default)
        {
            if (_held)
            {
                _held = false;
                store._lock.Release();
            }

            return Task.CompletedTask;
        }

        public Task<MigrationHistory> PrepareHistoryAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(migrations);
            RequireLock();
            lock (store._gate)
            {
                if (store._format == HistoryFormat.GolangMigrate && store._golangVersion is { } version)
                {
                    foreach (Migration migration in migrations.Where(m => m.Version <= version))
                    {
                        store._rows[migration.Version] = Row(migration, HistoryRecordKind.AdoptedFromGolangMigrate) with { IsDirty = migration.Version == version && store._golangDirty };
                    }

                    if (!store._rows.ContainsKey(version))
                    {
                        store._rows[version] = new AppliedMigration
                        {
                            Version = version,
                            Description = "recorded by golang-migrate, not in the source",
                            IsDirty = store._golangDirty,
                            AppliedAt = store._time.GetUtcNow(),
                            Kind = HistoryRecordKind.AdoptedFromGolangMigrate,
                        };
                    }
                }

                store._format = HistoryFormat.MigrationKit;
            }

            return ReadHistoryAsync(cancellationToken);
        }

        public async Task<TimeSpan> ApplyAsync(PlannedMigration planned, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(planned);
            RequireLock();
            cancellationToken.ThrowIfCancellationRequested();
            long started = store._time.GetTimestamp();
            bool outside = planned.Script.RunsOutsideTransaction;
            bool up = planned.Direction == MigrationDirection.Up;
            lock (store._gate)
            {
                bool recorded = store._rows.ContainsKey(planned.Version);
                if (up == recorded)
                {
                    throw new MigrationException(up
                        ? $"Version {planned.Version} ({planned.Description}) is already recorded as applied in {HistoryTable}: another runner applied it. Nothing was run again."
                        : $"Version {planned.Version} ({planned.Description}) is no longer recorded as applied in {HistoryTable}: another runner reverted it.");
                }

                if (outside)
                {
                    store._rows[planned.Version] = up
                        ? Row(planned.Migration, HistoryRecordKind.Applied) with { IsDirty = true }
                        : store._rows[planned.Version] with { IsDirty = true };
                }
            }

            try
            {
                if (store.Executor is { } executor)
                {
                    await executor(planned, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not MigrationException)
            {
                throw new MigrationFailedException(
                    $"{(up ? "Applying" : "Reverting")} migration {planned.Version} ({planned.Description}) failed at {planned.Script.Origin}: {ex.Message}." +
                    (outside ? $" It runs outside a transaction, so the database is now dirty at version {planned.Version}." : " Nothing of it was recorded."),
                    planned.Version,
                    planned.Description,
                    planned.Direction,
                    planned.Script.Origin,
                    null,
                    null,
                    null,
                    isConnectionLost: false,
                    ranOutsideTransaction: outside,
                    ex);
            }

            lock (store._gate)
            {
                store._executed.Add(planned);
                if (up)
                {
                    store._rows[planned.Version] = Row(planned.Migration, HistoryRecordKind.Applied) with { ExecutionTime = store._time.GetElapsedTime(started) };
                }
                else
                {
                    store._rows.Remove(planned.Version);
                }
            }

            return store._time.GetElapsedTime(started);
        }

        public Task ForceAsync(long? version, IReadOnlyList<Migration> recorded, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(recorded);
            RequireLock();
            lock (store._gate)
            {
                foreach (long above in store._rows.Keys.Where(v => version is null || v > version).ToList())
                {
                    store._rows.Remove(above);
                }

                foreach (long key in store._rows.Keys.ToList())
                {
                    store._rows[key] = store._rows[key] with { IsDirty = false };
                }

                foreach (Migration migration in recorded)
                {
                    store._rows.TryAdd(migration.Version, Row(migration, HistoryRecordKind.Forced));
                }
            }

            return Task.CompletedTask;
        }

        public Task BaselineAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(migrations);
            RequireLock();
            lock (store._gate)
            {
                foreach (Migration migration in migrations)
                {
                    store._rows.TryAdd(migration.Version, Row(migration, HistoryRecordKind.Baselined));
                }
            }

            return Task.CompletedTask;
        }

        public Task RepairAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(migrations);
            RequireLock();
            lock (store._gate)
            {
                foreach (Migration migration in migrations.Where(m => store._rows.ContainsKey(m.Version)))
                {
                    store._rows[migration.Version] = store._rows[migration.Version] with { Checksum = migration.Up.Checksum };
                }
            }

            return Task.CompletedTask;
        }

        public Task DropAsync(CancellationToken cancellationToken = default)
        {
            RequireLock();
            lock (store._gate)
            {
                store._rows.Clear();
                store._format = HistoryFormat.None;
            }

            return Task.CompletedTask;
        }

        public async ValueTask DisposeAsync() => await ReleaseLockAsync().ConfigureAwait(false);

        private AppliedMigration Row(Migration migration, HistoryRecordKind kind) => new()
        {
            Version = migration.Version,
            Description = migration.Description,
            Checksum = migration.Up.Checksum,
            AppliedAt = store._time.GetUtcNow(),
            AppliedBy = "in-memory",
            Kind = kind,
        };

        private void RequireLock()
        {
            if (!_held)
            {
                throw new InvalidOperationException("The migration lock must be held for this; call AcquireLockAsync first.");
            }
        }
    }
}
