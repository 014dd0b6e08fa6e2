using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using MigrationKit.Postgres;

namespace MigrationKit.Fleet;

/// <summary>
/// One <c>up</c> over a fleet: the canary phase, then the rest; in each phase every target once without waiting for a
/// lock another process holds, then the targets passed over, waiting; failures recorded, never thrown; what was never
/// started reported skipped, with why.
/// </summary>
internal sealed class FleetUp : IAsyncDisposable
{
    private readonly FleetContext _context;
    private readonly PreloadedSource _source;
    private readonly TargetRun[] _runs;
    private readonly CancellationToken _cancellationToken;
    private readonly FleetConnections _connections;
    private readonly int _parallelism;
    private readonly int _maxPerServer;
    private readonly object _gate = new();
    private readonly long _started;
    private int _done;
    private int _failed;
    private int _running;
    private string? _stoppedBy;
    private string? _canaryFailed;

    public FleetUp(FleetContext context, PreloadedSource source, IReadOnlyList<FleetTarget> targets, CancellationToken cancellationToken)
    {
        _context = context;
        _source = source;
        _runs = [.. targets.Select(t => new TargetRun(t, context.Options))];
        _cancellationToken = cancellationToken;
        _connections = new FleetConnections(targets);
        _parallelism = context.ParallelismFor(targets.Count);
        _maxPerServer = context.MaxPerServerFor(_parallelism);
        _started = context.Time.GetTimestamp();
    }

    /// <summary>
    /// Lets a target start unless the fleet was cancelled or stopped after a failure, and records when it starts; under
    /// the gate that <see cref="StopAfter"/> takes, so no target can start once a failure is known.
    /// </summary>
    private bool TryStart(TargetRun run)
    {
        lock (_gate)
        {
            if (_cancellationToken.IsCancellationRequested || _stoppedBy is not null)
            {
                return false;
            }

            run.StartedAt ??= _context.Time.GetUtcNow();
            run.AttemptStarted = _context.Time.GetTimestamp();
            _running++;
            return true;
        }
    }

    public async Task<FleetReport> RunAsync()
    {
        int servers = _runs.Select(r => r.Target.Server).Distinct(StringComparer.Ordinal).Count();
        using Activity? activity = MigrationTelemetry.StartFleet("up", _runs.Length, servers);
        int canary = Math.Min(_context.Canary, _runs.Length);
        _context.Logger.FleetStarting("up", _runs.Length, servers, _parallelism, _maxPerServer, canary, _context.OnError);
        try
        {
            if (canary > 0)
            {
                await RunPhaseAsync(_runs[..canary]).ConfigureAwait(false);
                int failed = _runs[..canary].Count(r => r.Result is not { Succeeded: true });
                if (failed > 0 && !_cancellationToken.IsCancellationRequested)
                {
                    _canaryFailed = canary == 1 ? "the canary (the first target) did not succeed" : $"{failed} of the {canary} canary targets did not succeed";
                    _context.Logger.CanaryFailed(failed, canary, _runs.Length - canary);
                }
                else
                {
                    await RunPhaseAsync(_runs[canary..]).ConfigureAwait(false);
                }
            }
            else
            {
                await RunPhaseAsync(_runs).ConfigureAwait(false);
            }

            foreach (TargetRun run in _runs.Where(r => r.Result is null))
            {
                run.Result = run.Describe(FleetOutcome.Skipped, run.Observation.FirstVersion, run.Observation.FirstVersion) with { Reason = SkipReason(run) };
                lock (_gate)
                {
                    _done++;
                    Report(run.Target, run.Result);
                }
            }
        }
        finally
        {
            await _connections.DisposeAsync().ConfigureAwait(false);
        }

        FleetReport report = Report();
        FleetSummary summary = report.Summary;
        if (report.IsCancelled)
        {
            _context.Logger.Cancelled(summary.Cancelled, summary.Skipped);
        }

        _context.Logger.FleetCompleted("up", summary.Duration.TotalMilliseconds, summary.Applied, summary.UpToDate, summary.DoneByAnother, summary.Failed, summary.Skipped, summary.Cancelled);
        if (!report.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, report.IsCancelled ? "cancelled" : $"{summary.Failed} failed");
        }

        return report;
    }

    /// <summary>Every target once, passing over those whose lock another process holds; then those, waiting for the lock.</summary>
    private async Task RunPhaseAsync(IReadOnlyList<TargetRun> runs)
    {
        var busy = new ConcurrentQueue<TargetRun>();
        await FleetScheduler.RunAsync(
            runs,
            r => r.Target.Server,
            _parallelism,
            _maxPerServer,
            async run =>
            {
                if (!await AttemptAsync(run, final: false).ConfigureAwait(false))
                {
                    busy.Enqueue(run);
                }
            },
            TryStart).ConfigureAwait(false);

        if (!busy.IsEmpty)
        {
            TargetRun[] again = [.. busy.OrderBy(r => Array.IndexOf(_runs, r))];
            await FleetScheduler.RunAsync(again, r => r.Target.Server, _parallelism, _maxPerServer, run => AttemptAsync(run, final: true), TryStart).ConfigureAwait(false);
        }
    }

    /// <summary>One attempt at a target: an ordinary run. Returns false when it was passed over for another process's lock.</summary>
    private async Task<bool> AttemptAsync(TargetRun run, bool final)
    {
        FleetTargetResult? result = null;
        lock (_gate)
        {
            Report(run.Target, null);
        }

        using (Activity? span = MigrationTelemetry.StartFleetTarget(run.Target.Server, run.Target.Database, run.Options.Schema))
        {
            run.Attempts++;
            long started = run.AttemptStarted;
            _context.Logger.TargetStarting(run.Display, run.Attempts);
            try
            {
                MigrationOptions options = final ? run.Options : run.FirstAttemptOptions;
                var store = new ObservedStore(
                    new PostgresMigrationStore(_connections.Get(run.Target), options, final ? _context.StoreLogger : _context.FirstAttemptStoreLogger, _context.Time),
                    run.Observation);
                var runner = new MigrationRunner(_source, store, options, _context.RunnerLogger, _context.Time);
                MigrationReport report = await runner.UpAsync(_cancellationToken).ConfigureAwait(false);
                run.Spent += _context.Time.GetElapsedTime(started);
                result = Succeeded(run, report);
            }
            catch (MigrationLockTimeoutException) when (!final && !_cancellationToken.IsCancellationRequested)
            {
                run.Spent += _context.Time.GetElapsedTime(started);
                _context.Logger.TargetBusy(run.Display);
                span?.SetTag("migrationkit.fleet.outcome", "busy");
            }
            catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
            {
                run.Spent += _context.Time.GetElapsedTime(started);
                result = run.Describe(FleetOutcome.Cancelled, run.Observation.FirstVersion, LastVersion(run)) with
                {
                    Reason = run.Observation.Applied.Count == 0
                        ? "The fleet was cancelled while this target ran: what was running was rolled back and the lock released; nothing was applied."
                        : $"The fleet was cancelled while this target ran: what was running was rolled back and the lock released; the {run.Observation.Applied.Count} migration(s) completed before stay applied.",
                };
            }
            catch (Exception ex) when (ex is MigrationException or ArgumentException or InvalidOperationException or TimeoutException or Npgsql.NpgsqlException or OperationCanceledException)
            {
                // Stop first: no target may start once this one is known to have failed.
                StopAfter(run);
                run.Spent += _context.Time.GetElapsedTime(started);
                result = Failed(run, ex);
            }

            if (result is not null)
            {
                span?.SetTag("migrationkit.fleet.outcome", Outcome(result.Outcome));
                if (!result.Succeeded)
                {
                    span?.SetStatus(ActivityStatusCode.Error, result.Failure?.SqlState ?? Outcome(result.Outcome));
                }
            }
        }

        if (result is null)
        {
            lock (_gate)
            {
                _running--;
            }

            return false;
        }

        await CompleteAsync(run, result).ConfigureAwait(false);
        return true;
    }

    private async Task CompleteAsync(TargetRun run, FleetTargetResult result)
    {
        run.Result = result;
        bool failed = result.Outcome == FleetOutcome.Failed;
        MigrationTelemetry.RecordFleetTarget(Outcome(result.Outcome), failed || result.Outcome == FleetOutcome.Cancelled);
        if (failed)
        {
            _context.Logger.TargetFailed(run.Display, result.Failure!.Message);
        }
        else if (_context.Logger.IsEnabled(LogLevel.Information))
        {
            _context.Logger.TargetCompleted(
                run.Display, Outcome(result.Outcome), MigrationVersion.Format(result.FromVersion), MigrationVersion.Format(result.ToVersion), result.MigrationsApplied, result.Duration.TotalMilliseconds);
        }

        lock (_gate)
        {
            _running--;
            _done++;
            if (failed)
            {
                _failed++;
            }

            Report(run.Target, result);
        }

        await _connections.ReleaseAsync(run.Target).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    /// <summary>After a failure with on error stop: no new target starts (the scheduler asks <see cref="TryStart"/>, under the same gate).</summary>
    private void StopAfter(TargetRun run)
    {
        if (_context.OnError != FleetErrorPolicy.Stop)
        {
            return;
        }

        lock (_gate)
        {
            if (_stoppedBy is not null)
            {
                return;
            }

            _stoppedBy = run.Display;
        }

        _context.Logger.Stopping(run.Display);
    }

    private static FleetTargetResult Succeeded(TargetRun run, MigrationReport report)
    {
        TargetObservation seen = run.Observation;
        if (seen.Applied.Count > 0)
        {
            return run.Describe(FleetOutcome.Applied, report.StartVersion, report.EndVersion);
        }

        if (seen.ChangedByAnother)
        {
            return run.Describe(FleetOutcome.DoneByAnother, seen.FirstVersion, report.EndVersion) with
            {
                Reason = $"Another process migrated it from version {MigrationVersion.Format(seen.FirstVersion)} to {MigrationVersion.Format(report.EndVersion)} " +
                    (run.Attempts > 1 ? "while this one waited for its lock." : "while this one looked."),
            };
        }

        return run.Describe(FleetOutcome.UpToDate, report.EndVersion, report.EndVersion);
    }

    private static FleetTargetResult Failed(TargetRun run, Exception exception)
    {
        FleetFailure failure = exception switch
        {
            MigrationFailedException failed => new FleetFailure
            {
                Version = failed.Version,
                File = failed.Origin,
                Line = failed.Line,
                Column = failed.Column,
                SqlState = failed.SqlState,
                Kind = nameof(MigrationFailedException),
                Message = failed.Message,
            },
            MigrationValidationException invalid when invalid.Problems.FirstOrDefault(p => p.Severity == ValidationSeverity.Error) is { } problem => new FleetFailure
            {
                Version = problem.Version,
                File = problem.Origin,
                Line = problem.Line,
                Column = problem.Column,
                Kind = nameof(MigrationValidationException),
                Message = invalid.Message,
            },
            DirtyDatabaseException dirty => new FleetFailure
            {
                Version = dirty.Version,
                File = dirty.Origin,
                Kind = nameof(DirtyDatabaseException),
                Message = dirty.Message,
            },
            _ => new FleetFailure
            {
                SqlState = (exception as Npgsql.PostgresException ?? exception.InnerException as Npgsql.PostgresException)?.SqlState,
                Kind = exception.GetType().Name,
                Message = exception.Message,
            },
        };
        return run.Describe(FleetOutcome.Failed, run.Observation.FirstVersion, LastVersion(run)) with { Failure = failure };
    }

    private static long? LastVersion(TargetRun run) =>
        run.Observation.Applied.Count > 0 ? Math.Max(run.Observation.Applied.Max(), run.Observation.FirstVersion ?? long.MinValue) : run.Observation.FirstVersion;

    private string SkipReason(TargetRun run)
    {
        string busy = run.Attempts > 0 ? "Another process held its migration lock when this one tried, and it was not tried again: " : "Not started: ";
        return _cancellationToken.IsCancellationRequested ? busy + "the fleet was cancelled first; nothing was done to it."
            : _canaryFailed is not null ? busy + _canaryFailed + ", so no other target runs. Fix it and run again."
            : _stoppedBy is not null ? busy + $"{_stoppedBy} failed, and no target starts after a failure (on error stop). Fix it and run again, or run with on error continue."
            : busy + "the fleet ended first.";
    }

    /// <summary>Tells the progress callback; called under the gate, so one call at a time.</summary>
    private void Report(FleetTarget target, FleetTargetResult? result)
    {
        if (_context.Progress is not { } progress)
        {
            return;
        }

        TimeSpan elapsed = _context.Time.GetElapsedTime(_started);
        TimeSpan? remaining = _done == 0 ? null : elapsed / _done * (_runs.Length - _done);
        progress.Report(new FleetProgress
        {
            Target = target,
            Result = result,
            Total = _runs.Length,
            Done = _done,
            Failed = _failed,
            Running = _running,
            Elapsed = elapsed,
            EstimatedRemaining = remaining,
        });
    }

    private FleetReport Report()
    {
        FleetTargetResult[] results = [.. _runs.Select(r => r.Result!)];
        return new FleetReport
        {
            Targets = results,
            IsCancelled = _cancellationToken.IsCancellationRequested && results.Any(r => r.Outcome is FleetOutcome.Cancelled or FleetOutcome.Skipped),
            Summary = new FleetSummary
            {
                Targets = results.Length,
                Servers = results.Select(r => r.Server).Distinct(StringComparer.Ordinal).Count(),
                Applied = results.Count(r => r.Outcome == FleetOutcome.Applied),
                UpToDate = results.Count(r => r.Outcome == FleetOutcome.UpToDate),
                DoneByAnother = results.Count(r => r.Outcome == FleetOutcome.DoneByAnother),
                Failed = results.Count(r => r.Outcome == FleetOutcome.Failed),
                Skipped = results.Count(r => r.Outcome == FleetOutcome.Skipped),
                Cancelled = results.Count(r => r.Outcome == FleetOutcome.Cancelled),
                MigrationsApplied = results.Sum(r => r.MigrationsApplied),
                Parallelism = _parallelism,
                MaxPerServer = _maxPerServer,
                Duration = _context.Time.GetElapsedTime(_started),
            },
        };
    }

    /// <summary>The stable, kebab-case name of an outcome, as the command line and telemetry write it.</summary>
    internal static string Outcome(FleetOutcome outcome) => outcome switch
    {
        FleetOutcome.Applied => "applied",
        FleetOutcome.UpToDate => "up-to-date",
        FleetOutcome.Failed => "failed",
        FleetOutcome.Skipped => "skipped",
        FleetOutcome.DoneByAnother => "done-by-another",
        FleetOutcome.Cancelled => "cancelled",
        _ => ((int)outcome).ToString(CultureInfo.InvariantCulture),
    };
}
