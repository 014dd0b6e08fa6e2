using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MigrationKit.Diagnostics;
using MigrationKit.Postgres;
using MigrationKit.Sources;
using MigrationKit.Validation;

namespace MigrationKit.Running;

/// <summary>
/// Plans first, then acts: reads the source, takes the store's lock, checks the whole plan (down scripts present,
/// nothing dirty, no drift, no unmatched file, no out-of-order version unless allowed), then runs it.
/// </summary>
/// <remarks>
/// An up run with nothing pending answers from one history read and the source's file names, without taking the
/// lock or reading a script, so start-ups of many replicas stay cheap; checksums are checked whenever anything is
/// about to run, and by <see cref="ValidateAsync"/> and <see cref="GetStatusAsync"/>.
/// </remarks>
public sealed class MigrationRunner : IMigrationRunner
{
    private readonly IMigrationSource _source;
    private readonly IMigrationStore _store;
    private readonly MigrationOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner.</summary>
    /// <param name="source">Where the migrations come from.</param>
    /// <param name="store">Where the history and the lock live.</param>
    /// <param name="options">The options; they are copied.</param>
    /// <param name="logger">Where to log, or <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system clock.</param>
    public MigrationRunner(IMigrationSource source, IMigrationStore store, MigrationOptions options, ILogger<MigrationRunner>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _store = store;
        _options = options.Clone();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public Task<MigrationReport> UpAsync(CancellationToken cancellationToken = default) =>
        RunAsync(MigrationIntent.Up(int.MaxValue), cancellationToken);

    /// <inheritdoc/>
    public Task<MigrationReport> UpAsync(int steps, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        return RunAsync(MigrationIntent.Up(steps), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<MigrationReport> DownAsync(int steps, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        return RunAsync(MigrationIntent.Down(steps), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<MigrationReport> GotoAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return RunAsync(MigrationIntent.Goto(version), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task ForceAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);

        // Force is the way out of trouble: it works even when some other file of the source has a problem.
        SourceLoadResult loaded = await LoadSourceAsync(cancellationToken).ConfigureAwait(false);
        Migration? migration = loaded.Migrations.FirstOrDefault(m => m.Version == version);
        if (version != 0 && migration is null)
        {
            throw new MigrationException($"Version {version} is not in the source ({_source}); force takes one of its versions, or 0 for none.");
        }

        IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable sessionScope = session.ConfigureAwait(false);
        await session.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await session.PrepareHistoryAsync(loaded.Migrations, cancellationToken).ConfigureAwait(false);
            await session.ForceAsync(version, migration, cancellationToken).ConfigureAwait(false);
            _logger.Forced(session.HistoryTable, version);
        }
        finally
        {
            await session.ReleaseLockAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task BaselineAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        SourceLoadResult loaded = await LoadSourceAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Migration> migrations = loaded.GetMigrationsOrThrow();
        if (!migrations.Any(m => m.Version == version))
        {
            throw new MigrationException($"Version {version} is not in the source ({_source}); baseline takes one of its versions.");
        }

        IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable sessionScope = session.ConfigureAwait(false);
        await session.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<AppliedMigration> history = await session.PrepareHistoryAsync(migrations, cancellationToken).ConfigureAwait(false);
            if (history.Count > 0)
            {
                throw new MigrationException(
                    $"Baseline adopts a database with no history, but {session.HistoryTable} already records {history.Count} version(s), the newest {history.Max(h => h.Version)}. " +
                    "Use goto or up to move from there, or force to rewrite where the schema stands.");
            }

            var recorded = migrations.Where(m => m.Version <= version).ToList();
            await session.BaselineAsync(recorded, cancellationToken).ConfigureAwait(false);
            _logger.Baselined(session.HistoryTable, version, recorded.Count);
        }
        finally
        {
            await session.ReleaseLockAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task DropAsync(CancellationToken cancellationToken = default)
    {
        if (!_options.AllowDrop)
        {
            throw new MigrationException(
                $"Drop is disabled: it removes every object of schema \"{_options.Schema}\". Set {nameof(MigrationOptions)}.{nameof(MigrationOptions.AllowDrop)} = true to allow it (the command line's drop command does, after confirmation).");
        }

        IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable sessionScope = session.ConfigureAwait(false);
        await session.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await session.DropAsync(cancellationToken).ConfigureAwait(false);
            _logger.Dropped(_options.Schema, session.HistoryTable);
        }
        finally
        {
            await session.ReleaseLockAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        // Connect while the scripts are read: the server starts a backend for us in the meantime.
        Task<IMigrationStoreSession> opening = _store.OpenSessionAsync(cancellationToken);
        SourceLoadResult loaded;
        try
        {
            loaded = await LoadSourceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DisposeWhenOpenAsync(opening).ConfigureAwait(false);
            throw;
        }

        foreach (ValidationProblem problem in loaded.Problems)
        {
            _logger.ValidationWarning(problem.ToString());
        }

        IMigrationStoreSession session = await opening.ConfigureAwait(false);
        await using ConfiguredAsyncDisposable sessionScope = session.ConfigureAwait(false);
        IReadOnlyList<AppliedMigration> history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false) ?? [];
        return BuildStatus(loaded.Migrations, history);
    }

    /// <inheritdoc/>
    public async Task<ValidationReport> ValidateAsync(CancellationToken cancellationToken = default)
    {
        SourceLoadResult loaded = await LoadSourceAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<ValidationProblem>(loaded.Problems);
        CheckSource(loaded.Migrations, _options, problems);

        IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable sessionScope = session.ConfigureAwait(false);
        IReadOnlyList<AppliedMigration>? history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
        if (history is not null)
        {
            MigrationValidator.CheckHistory(loaded.Migrations, history, _options, problems);
        }

        return new ValidationReport(problems);
    }

    /// <inheritdoc/>
    public async Task<MigrationPlan> PlanAsync(long? targetVersion, CancellationToken cancellationToken = default)
    {
        if (targetVersion is { } target)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(target);
        }

        MigrationIntent intent = targetVersion is { } version ? MigrationIntent.Goto(version) : MigrationIntent.Up(int.MaxValue);
        SourceLoadResult loaded = await LoadSourceAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Migration> migrations = loaded.GetMigrationsOrThrow();

        IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable sessionScope = session.ConfigureAwait(false);
        IReadOnlyList<AppliedMigration> history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false) ?? [];
        IReadOnlyList<PlannedMigration> steps = await CheckPlanAsync(session, intent, migrations, history, cancellationToken).ConfigureAwait(false);
        return new MigrationPlan(CurrentVersion(history), MigrationPlanner.VersionAfter(history, steps), steps);
    }

    /// <summary>Checks what <see cref="ValidateAsync"/> checks without a database: the source, its scripts and the policies.</summary>
    internal static void CheckSource(IReadOnlyList<Migration> migrations, MigrationOptions options, List<ValidationProblem> problems)
    {
        foreach (Migration migration in migrations)
        {
            MigrationValidator.CheckScript(migration, migration.Up, problems);
            if (migration.Down is not null)
            {
                MigrationValidator.CheckScript(migration, migration.Down, problems);
            }
        }

        MigrationValidator.CheckPolicies(migrations, options, problems);
    }

    private async Task<MigrationReport> RunAsync(MigrationIntent intent, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        using Activity? activity = MigrationTelemetry.StartRun(intent.Name, _options.Schema + "." + _options.TableName);
        try
        {
            IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable sessionScope = session.ConfigureAwait(false);

            SourceCatalog? catalog = null;
            if (intent is { Kind: MigrationIntentKind.Up, Steps: int.MaxValue } && _source is ICatalogMigrationSource catalogSource)
            {
                // The no-op start: the history read goes out first, the source's names are listed while it travels.
                Task<IReadOnlyList<(long Version, bool IsDirty)>?> historyRead = ReadVersionsAsync(session, cancellationToken);
                try
                {
                    catalog = await catalogSource.ScanAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    // Let the read finish before the session is disposed under it.
                    await historyRead.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                    throw;
                }

                IReadOnlyList<(long Version, bool IsDirty)>? current = await historyRead.ConfigureAwait(false);
                if (current is not null && IsUpToDate(catalog, current))
                {
                    long version = current.Count == 0 ? 0 : current.Max(h => h.Version);
                    double elapsedMs = _time.GetElapsedTime(started).TotalMilliseconds;
                    _logger.UpToDate(session.HistoryTable, version, elapsedMs);
                    return new MigrationReport(version, version, [], _time.GetElapsedTime(started));
                }
            }

            await session.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Re-read under the lock: a replica that lost the race finds the work done, from names alone, as a
                // no-op start does. Only the runner with work to do reads the scripts, so replicas waiting for the
                // lock don't compete with it for the CPU.
                if (catalog is not null
                    && await ReadVersionsAsync(session, cancellationToken).ConfigureAwait(false) is { } applied
                    && IsUpToDate(catalog, applied))
                {
                    long version = applied.Count == 0 ? 0 : applied.Max(h => h.Version);
                    double elapsedMs = _time.GetElapsedTime(started).TotalMilliseconds;
                    _logger.UpToDate(session.HistoryTable, version, elapsedMs);
                    return new MigrationReport(version, version, [], _time.GetElapsedTime(started));
                }

                SourceLoadResult loaded = await LoadSourceAsync(cancellationToken).ConfigureAwait(false);
                IReadOnlyList<Migration> migrations = loaded.GetMigrationsOrThrow();
                IReadOnlyList<AppliedMigration> history = await session.PrepareHistoryAsync(migrations, cancellationToken).ConfigureAwait(false);
                IReadOnlyList<PlannedMigration> steps = await CheckPlanAsync(session, intent, migrations, history, cancellationToken).ConfigureAwait(false);
                long from = CurrentVersion(history);
                if (steps.Count == 0)
                {
                    double elapsedMs = _time.GetElapsedTime(started).TotalMilliseconds;
                    _logger.UpToDate(session.HistoryTable, from, elapsedMs);
                    return new MigrationReport(from, from, [], _time.GetElapsedTime(started));
                }

                long to = MigrationPlanner.VersionAfter(history, steps);
                _logger.RunStarting(session.HistoryTable, steps.Count, from, to);
                var executed = new List<ExecutedMigration>(steps.Count);
                foreach (PlannedMigration step in steps)
                {
                    executed.Add(await ApplyAsync(session, step, cancellationToken).ConfigureAwait(false));
                }

                double totalMs = _time.GetElapsedTime(started).TotalMilliseconds;
                _logger.RunCompleted(session.HistoryTable, from, to, executed.Count, totalMs);
                return new MigrationReport(from, to, executed, _time.GetElapsedTime(started));
            }
            finally
            {
                await session.ReleaseLockAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private async Task<ExecutedMigration> ApplyAsync(IMigrationStoreSession session, PlannedMigration step, CancellationToken cancellationToken)
    {
        Migration migration = step.Migration;
        MigrationScript script = step.Script;
        using Activity? activity = MigrationTelemetry.StartMigration(migration, step.Direction);
        using IDisposable? scope = _logger.BeginScope(new MigrationScope(migration.Version, migration.Description, step.Direction));
        _logger.MigrationStarting(step.Direction, migration.Version, migration.Description, script.Origin);
        try
        {
            TimeSpan duration = await session.ApplyAsync(migration, step.Direction, cancellationToken).ConfigureAwait(false);
            MigrationTelemetry.RecordApplied(step.Direction, duration);
            _logger.MigrationApplied(step.Direction, migration.Version, migration.Description, duration.TotalMilliseconds);
            return new ExecutedMigration(migration.Version, migration.Description, step.Direction, duration, script.RunsOutsideTransaction);
        }
        catch (MigrationFailedException ex)
        {
            MigrationTelemetry.RecordFailed(step.Direction);
            activity?.SetStatus(ActivityStatusCode.Error, ex.SqlState ?? ex.GetType().Name);
            _logger.MigrationFailed(step.Direction, migration.Version, migration.Description, ex.Origin, ex.Line, ex.Column, ex.SqlState);
            throw;
        }
    }

    /// <summary>
    /// The pre-flight check of a run: dirty rows first (they need a person), then every problem that blocks the
    /// plan at once. Warnings are logged; the plan is returned when nothing blocks it.
    /// </summary>
    private async Task<IReadOnlyList<PlannedMigration>> CheckPlanAsync(
        IMigrationStoreSession session,
        MigrationIntent intent,
        IReadOnlyList<Migration> migrations,
        IReadOnlyList<AppliedMigration> history,
        CancellationToken cancellationToken)
    {
        AppliedMigration? dirty = history.FirstOrDefault(h => h.IsDirty);
        if (dirty is not null)
        {
            throw await DirtyAsync(session, dirty, migrations, cancellationToken).ConfigureAwait(false);
        }

        var problems = new List<ValidationProblem>();
        IReadOnlyList<PlannedMigration> steps = MigrationPlanner.Plan(intent, migrations, history, problems);
        foreach (PlannedMigration step in steps)
        {
            MigrationValidator.CheckScript(step.Migration, step.Script, problems);
        }

        MigrationValidator.CheckPolicies(migrations, _options, problems);
        var historyProblems = new List<ValidationProblem>();
        MigrationValidator.CheckHistory(migrations, history, _options, historyProblems);
        problems.AddRange(historyProblems.Where(p => p.Code != ValidationCode.OutOfOrder));

        foreach ((PlannedMigration step, long newestApplied) in MigrationPlanner.OutOfOrderSteps(history, steps))
        {
            if (_options.OutOfOrder == OutOfOrderPolicy.Apply)
            {
                _logger.ApplyingOutOfOrder(step.Version, newestApplied);
                continue;
            }

            problems.Add(new ValidationProblem(
                ValidationCode.OutOfOrder,
                ValidationSeverity.Error,
                $"Version {step.Version} is pending but older than the newest applied version {newestApplied}. Give it a version above {newestApplied}, or set {nameof(MigrationOptions.OutOfOrder)} = Apply to run it anyway.",
                step.Version,
                step.Migration.Up.Origin));
        }

        if (problems.Any(p => p.Severity == ValidationSeverity.Error))
        {
            throw new MigrationValidationException(problems.Where(p => p.Severity == ValidationSeverity.Error));
        }

        foreach (ValidationProblem warning in problems.Where(p => p.Severity == ValidationSeverity.Warning))
        {
            _logger.ValidationWarning(warning.ToString());
        }

        return steps;
    }

    private static async Task<DirtyDatabaseException> DirtyAsync(IMigrationStoreSession session, AppliedMigration dirty, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        Migration? migration = migrations.FirstOrDefault(m => m.Version == dirty.Version);
        long previous = migrations.Where(m => m.Version < dirty.Version).Select(m => m.Version).DefaultIfEmpty(0).Max();
        IReadOnlyList<string> invalid = session is PostgresMigrationSession postgres
            ? await postgres.ReadInvalidIndexesAsync(cancellationToken).ConfigureAwait(false)
            : [];
        string origin = migration is null ? string.Empty : $" ({migration.Up.Origin})";
        string indexes = string.Concat(invalid.Select(i => $" The INVALID index {i} was left by a failed CREATE INDEX CONCURRENTLY: drop it (DROP INDEX CONCURRENTLY {i}) before retrying."));
        return new DirtyDatabaseException(
            $"The database is dirty at version {dirty.Version} ({dirty.Description}){origin}: a script that runs outside a transaction was interrupted or failed, so part of it may have run. " +
            $"Nothing runs until that is resolved.{indexes} Check the schema and finish or undo that migration by hand, then run force {dirty.Version} if it is now fully applied, " +
            $"or force {previous} if it is not, and run again.",
            dirty.Version,
            migration?.Up.Origin,
            invalid);
    }

    /// <summary>Closes a session that was being opened when something else failed; its own failure adds nothing.</summary>
    private static async Task DisposeWhenOpenAsync(Task<IMigrationStoreSession> opening)
    {
        try
        {
            await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MigrationException or OperationCanceledException or Npgsql.NpgsqlException)
        {
            // The load's failure is the one to report.
        }
    }

    private async Task<SourceLoadResult> LoadSourceAsync(CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        SourceLoadResult result = await CompositeMigrationSource.LoadOneAsync(_source, cancellationToken).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.SourceLoaded(result.Migrations.Count, _source.ToString() ?? _source.GetType().Name, _time.GetElapsedTime(started).TotalMilliseconds);
        }

        return result;
    }

    /// <summary>The versions and dirty flags for the no-op check: two columns from our store, the whole history from another.</summary>
    private static async Task<IReadOnlyList<(long Version, bool IsDirty)>?> ReadVersionsAsync(IMigrationStoreSession session, CancellationToken cancellationToken)
    {
        if (session is PostgresMigrationSession postgres)
        {
            return await postgres.ReadVersionsAsync(cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<AppliedMigration>? history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
        return history?.Select(h => (h.Version, h.IsDirty)).ToList();
    }

    private static bool IsUpToDate(SourceCatalog catalog, IReadOnlyList<(long Version, bool IsDirty)> history)
    {
        if (!catalog.IsClean)
        {
            return false;
        }

        var applied = new HashSet<long>(history.Count);
        foreach ((long Version, bool IsDirty) row in history)
        {
            if (row.IsDirty)
            {
                return false;
            }

            applied.Add(row.Version);
        }

        foreach (long version in catalog.Versions)
        {
            if (!applied.Remove(version))
            {
                return false;
            }
        }

        // Rows left over are not in the source: newer ones mean the database is ahead of this build (fine for a
        // start-up); older ones are missing files, which the full check reports.
        long newestSource = catalog.Versions.Count == 0 ? 0 : catalog.Versions[^1];
        return applied.All(v => v > newestSource);
    }

    private static long CurrentVersion(IReadOnlyList<AppliedMigration> history) =>
        history.Count == 0 ? 0 : history.Max(h => h.Version);

    private static MigrationStatus BuildStatus(IReadOnlyList<Migration> migrations, IReadOnlyList<AppliedMigration> history)
    {
        var byVersion = history.ToDictionary(h => h.Version);
        var entries = new List<MigrationStatusEntry>(Math.Max(migrations.Count, history.Count));
        foreach (Migration migration in migrations)
        {
            if (!byVersion.Remove(migration.Version, out AppliedMigration? applied))
            {
                entries.Add(new MigrationStatusEntry(migration.Version, migration.Description, MigrationState.Pending, migration, null));
                continue;
            }

            MigrationState state = applied.IsDirty ? MigrationState.Dirty
                : applied.Checksum is not null && !string.Equals(applied.Checksum, migration.Up.Checksum, StringComparison.Ordinal) ? MigrationState.Drifted
                : MigrationState.Applied;
            entries.Add(new MigrationStatusEntry(migration.Version, migration.Description, state, migration, applied));
        }

        foreach (AppliedMigration orphan in byVersion.Values)
        {
            entries.Add(new MigrationStatusEntry(orphan.Version, orphan.Description, orphan.IsDirty ? MigrationState.Dirty : MigrationState.Missing, null, orphan));
        }

        entries.Sort((a, b) => a.Version.CompareTo(b.Version));
        return new MigrationStatus(entries);
    }

    /// <summary>The logging scope around each script: its version, description and direction.</summary>
    private sealed class MigrationScope(long version, string description, MigrationDirection direction) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 3;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("MigrationVersion", version),
            1 => new("MigrationDescription", description),
            2 => new("MigrationDirection", direction),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (int i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{MigrationTelemetry.Lower(direction)} {version} {description}";
    }
}
