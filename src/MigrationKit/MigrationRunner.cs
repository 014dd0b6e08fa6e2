using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MigrationKit.Diagnostics;
using MigrationKit.Linting;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Validation;

namespace MigrationKit;

/// <summary>
/// Plans first, then acts: reads the source, takes the store's lock, checks the whole plan (nothing dirty, down
/// scripts present, no drift, no unmatched file, no out-of-order version unless allowed, nothing this connection
/// cannot run), and only then writes anything, golang-migrate's table adopted included.
/// </summary>
/// <remarks>
/// An up run with nothing pending answers from one history read and the source's file names, without taking the
/// lock or reading a script, so start-ups of many replicas stay cheap; checksums are checked whenever anything is
/// about to run, and by <see cref="ValidateAsync"/> and <see cref="GetStatusAsync"/>.
/// </remarks>
public sealed class MigrationRunner : IMigrationRunner
{
    private readonly SourceLoader _source;
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
        _store = store;
        _options = options.Clone();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _source = new SourceLoader(source, _options, _logger, _time);
    }

    /// <inheritdoc/>
    public Task<MigrationReport> UpAsync(CancellationToken cancellationToken = default) =>
        RunAsync(MigrationIntent.Up(int.MaxValue), cancellationToken);

    /// <inheritdoc/>
    public Task<MigrationReport> UpAsync(MigrationPhase phase, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(phase))
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "The phase must be Pre or Post.");
        }

        return RunAsync(MigrationIntent.Up(int.MaxValue, phase), cancellationToken);
    }

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
        ArgumentOutOfRangeException.ThrowIfLessThan(version, MigrationVersion.None);
        return RunAsync(MigrationIntent.Goto(version), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task ForceAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, MigrationVersion.None);

        // Force is the way out of trouble: it works even when some other file of the source has a problem.
        SourceLoadResult loaded = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (version != MigrationVersion.None && !loaded.Migrations.Any(m => m.Version == version))
        {
            throw new MigrationException($"Version {version} is not in the source ({_source.Source}); force takes one of its versions, or -1 for none.");
        }

        long? target = version == MigrationVersion.None ? null : version;
        await SessionBrackets.LockedAsync(
            _store,
            async session =>
            {
                await session.PrepareHistoryAsync(loaded.Migrations, cancellationToken).ConfigureAwait(false);
                await session.ForceAsync(target, [.. loaded.Migrations.Where(m => m.Version <= version)], cancellationToken).ConfigureAwait(false);
                _logger.Forced(session.HistoryTable, MigrationVersion.Format(target));
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task BaselineAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        IReadOnlyList<Migration> migrations = await _source.LoadOrThrowAsync(cancellationToken).ConfigureAwait(false);
        if (!migrations.Any(m => m.Version == version))
        {
            throw new MigrationException($"Version {version} is not in the source ({_source.Source}); baseline takes one of its versions.");
        }

        await SessionBrackets.LockedAsync(
            _store,
            async session =>
            {
                MigrationHistory history = await session.PrepareHistoryAsync(migrations, cancellationToken).ConfigureAwait(false);
                if (history.Applied.Count > 0)
                {
                    throw new MigrationException(
                        $"Baseline adopts a database with no history, but {session.HistoryTable} already records {history.Applied.Count} version(s), the newest {history.Applied.Max(h => h.Version)}. " +
                        "Use goto or up to move from there, or force to rewrite where the schema stands.");
                }

                var recorded = migrations.Where(m => m.Version <= version).ToList();
                await session.BaselineAsync(recorded, cancellationToken).ConfigureAwait(false);
                _logger.Baselined(session.HistoryTable, version, recorded.Count);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<RepairReport> RepairAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Migration> migrations = await _source.LoadOrThrowAsync(cancellationToken).ConfigureAwait(false);
        return await SessionBrackets.LockedAsync(
            _store,
            async session =>
            {
                MigrationHistory history = await session.PrepareHistoryAsync(migrations, cancellationToken).ConfigureAwait(false);
                IReadOnlyList<RepairedMigration> repaired = RepairPlanner.Plan(migrations, history);
                if (repaired.Count > 0)
                {
                    var repairedVersions = repaired.Select(r => r.Version).ToHashSet();
                    await session.RepairAsync([.. migrations.Where(m => repairedVersions.Contains(m.Version))], cancellationToken).ConfigureAwait(false);
                    _logger.Repaired(session.HistoryTable, repaired.Count, string.Join(", ", repairedVersions));
                }

                return new RepairReport { Repaired = repaired };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DropAsync(CancellationToken cancellationToken = default)
    {
        if (!_options.AllowDrop)
        {
            throw new MigrationException(
                $"Drop is disabled: it removes every object of schema \"{_options.Schema}\". Set {nameof(MigrationOptions)}.{nameof(MigrationOptions.AllowDrop)} = true to allow it (the command line's drop command does, after confirmation).");
        }

        await SessionBrackets.LockedAsync(
            _store,
            async session =>
            {
                await session.DropAsync(cancellationToken).ConfigureAwait(false);
                _logger.Dropped(_options.Schema, session.HistoryTable);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        // Connect while the scripts are read: the server starts a backend for us in the meantime.
        Task<IMigrationStoreSession> opening = _store.OpenSessionAsync(cancellationToken);
        SourceLoadResult loaded;
        try
        {
            loaded = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
            SourceLoader.ThrowIfEmpty(loaded);
        }
        catch
        {
            await SessionBrackets.DisposeWhenOpenAsync(opening).ConfigureAwait(false);
            throw;
        }

        foreach (ValidationProblem problem in loaded.Problems)
        {
            _logger.ValidationWarning(problem.ToString());
        }

        IMigrationStoreSession session = await opening.ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            return StatusBuilder.Build(loaded.Migrations, history);
        }
    }

    /// <inheritdoc/>
    public async Task<ValidationReport> ValidateAsync(CancellationToken cancellationToken = default)
    {
        SourceLoadResult loaded = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
        return await SessionBrackets.ReadAsync(_store, session => HistoryValidation.ValidateAsync(session, loaded, _options, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<MigrationPlan> PlanAsync(long? targetVersion, CancellationToken cancellationToken = default)
    {
        if (targetVersion is { } target)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(target, MigrationVersion.None);
        }

        MigrationIntent intent = targetVersion is { } version ? MigrationIntent.Goto(version) : MigrationIntent.Up(int.MaxValue);
        IReadOnlyList<Migration> migrations = await _source.LoadOrThrowAsync(cancellationToken).ConfigureAwait(false);
        IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> applied = EffectiveHistory.Of(history, migrations);
            var warnings = new List<ValidationProblem>();
            IReadOnlyList<PlannedMigration> steps = await PreflightCheck.CheckAsync(session, intent, migrations, applied, _options, _logger, lockHeld: false, cancellationToken, warnings).ConfigureAwait(false);
            return new MigrationPlan
            {
                Warnings = warnings,
                CurrentVersion = EffectiveHistory.CurrentVersion(applied),
                TargetVersion = MigrationPlanner.VersionAfter(applied, steps),
                Steps = steps,
                AdoptsGolangMigrateHistory = history.Format == HistoryFormat.GolangMigrate,
            };
        }
    }

    /// <inheritdoc/>
    public async Task<LintReport> LintAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Migration> migrations = (await _source.LoadAsync(cancellationToken).ConfigureAwait(false)).Migrations;
        return await SessionBrackets.ReadAsync(
            _store,
            session => LintCatalog.LintAsync(new MigrationLinter(_options.Lint), migrations, null, session, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sequence of a run: open, read, lock, read again, plan and check, prepare the history, apply, release.</summary>
    private async Task<MigrationReport> RunAsync(MigrationIntent intent, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        using Activity? activity = MigrationTelemetry.StartRun(intent.Name);
        try
        {
            IMigrationStoreSession session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                MigrationTelemetry.TagRun(activity, session.HistoryTable, intent.Phase);
                SourceCatalog? catalog = null;
                if (intent is { Kind: MigrationIntentKind.Up, Steps: int.MaxValue })
                {
                    // The no-op start: the history read goes out first, the source's names are listed while it travels.
                    Task<IReadOnlyList<AppliedVersion>?> versions = session.ReadVersionsAsync(cancellationToken);
                    try
                    {
                        catalog = await _source.ScanAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        // Let the read finish before the session is disposed under it.
                        await versions.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                        throw;
                    }

                    if (catalog is not null && await versions.ConfigureAwait(false) is { } current && UpToDateCheck.IsUpToDate(catalog, current, _options))
                    {
                        return UpToDate(session, UpToDateCheck.CurrentVersion(current), started);
                    }

                    // One phase with the other pending: the scripts are read, still without the lock.
                    if (intent.Phase is not null && await UpToDateCheck.PhaseIdleAsync(session, _source, intent, cancellationToken).ConfigureAwait(false) is (true, var version))
                    {
                        return UpToDate(session, version, started);
                    }
                }

                return await SessionBrackets.WithLockAsync(session, () => RunLockedAsync(session, intent, catalog, started, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private async Task<MigrationReport> RunLockedAsync(IMigrationStoreSession session, MigrationIntent intent, SourceCatalog? catalog, long started, CancellationToken cancellationToken)
    {
        // Re-read under the lock: a replica that lost the race finds the work done, from names alone, as a no-op start
        // does. Only the runner with work to do reads the scripts, so replicas waiting for the lock don't compete with
        // it for the CPU.
        if (catalog is not null
            && await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false) is { } applied
            && UpToDateCheck.IsUpToDate(catalog, applied, _options))
        {
            return UpToDate(session, UpToDateCheck.CurrentVersion(applied), started);
        }

        IReadOnlyList<Migration> migrations = await _source.LoadOrThrowAsync(cancellationToken).ConfigureAwait(false);
        MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);

        // Every check that can refuse runs on the history as it is, before anything is written: a refused run leaves
        // golang-migrate's table exactly as it was.
        IReadOnlyList<AppliedMigration> effective = EffectiveHistory.Of(history, migrations);
        IReadOnlyList<PlannedMigration> steps = await PreflightCheck.CheckAsync(session, intent, migrations, effective, _options, _logger, lockHeld: true, cancellationToken).ConfigureAwait(false);
        long? from = EffectiveHistory.CurrentVersion(effective);
        await PendingLint.CheckAsync(session, migrations, steps, _options, _logger, cancellationToken).ConfigureAwait(false);

        await session.PrepareHistoryAsync(migrations, cancellationToken).ConfigureAwait(false);
        if (steps.Count == 0)
        {
            return UpToDate(session, from, started);
        }

        long? to = MigrationPlanner.VersionAfter(effective, steps);
        string fromText = MigrationVersion.Format(from);
        string toText = MigrationVersion.Format(to);
        _logger.RunStarting(session.HistoryTable, steps.Count, fromText, toText);
        var executed = new List<ExecutedMigration>(steps.Count);
        foreach (PlannedMigration step in steps)
        {
            executed.Add(await StepApplier.ApplyAsync(session, step, _logger, cancellationToken).ConfigureAwait(false));
        }

        double elapsedMs = _time.GetElapsedTime(started).TotalMilliseconds;
        _logger.RunCompleted(session.HistoryTable, fromText, toText, executed.Count, elapsedMs);
        return new MigrationReport { StartVersion = from, EndVersion = to, Executed = executed, Duration = _time.GetElapsedTime(started) };
    }

    private MigrationReport UpToDate(IMigrationStoreSession session, long? version, long started)
    {
        string versionText = MigrationVersion.Format(version);
        double elapsedMs = _time.GetElapsedTime(started).TotalMilliseconds;
        _logger.UpToDate(session.HistoryTable, versionText, elapsedMs);
        return new MigrationReport { StartVersion = version, EndVersion = version, Executed = [], Duration = _time.GetElapsedTime(started) };
    }
}
