using Microsoft.Extensions.Logging;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Validation;

namespace MigrationKit.Fleet;

/// <summary>
/// Migrates a fleet of targets (databases, or schemas of a database, on one or many servers) from one source, and
/// reads where a fleet stands, with one report. Each target is one ordinary run (<see cref="MigrationRunner"/>) with its
/// own lock, so several fleet processes on several machines can share one fleet without a coordinator: a target whose
/// lock another process holds is passed over and tried again at the end, and reported done by another process when it
/// was.
/// </summary>
/// <remarks>
/// <para>
/// The source is read and checked once, before any target starts: a malformed file name, a script the lexer cannot
/// read or an unknown placeholder is refused with every problem listed, and nothing runs. Targets run in the fleet's
/// order (server, database, schema), <see cref="FleetOptions.Parallelism"/> at once and at most
/// <see cref="FleetOptions.MaxPerServer"/> of one server at once, after the <see cref="FleetOptions.Canary"/> ones.
/// </para>
/// <para>
/// Connections are pooled per database and shared by its targets: a fleet of 1,000 schemas of one database uses as
/// many connections as targets run at once, and a target with nothing pending costs one round trip on an open connection.
/// </para>
/// </remarks>
public sealed class FleetRunner
{
    private readonly FleetContext _context;

    /// <summary>Creates a fleet runner.</summary>
    /// <param name="source">The migrations every target gets.</param>
    /// <param name="options">
    /// The options of every target's run; they are copied. <see cref="MigrationOptions.ConnectionString"/> is ignored
    /// (each target has its own), and <see cref="MigrationOptions.Schema"/> is the history schema of database targets.
    /// </param>
    /// <param name="fleetOptions">How the fleet runs, or <see langword="null"/> for the defaults; they are copied.</param>
    /// <param name="loggerFactory">Where the fleet and every target's run log, or <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public FleetRunner(IMigrationSource source, MigrationOptions options, FleetOptions? fleetOptions = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        MigrationOptions copy = options.Clone();
        FleetOptions fleet = fleetOptions ?? new FleetOptions();
        List<string> problems = [.. MigrationOptionsChecks.Check(copy, requireConnectionString: false), .. fleet.Check()];
        if (problems.Count > 0)
        {
            throw new ArgumentException("The fleet's options are not valid: " + string.Join(" ", problems), nameof(options));
        }

        _context = new FleetContext(source, copy, fleet, loggerFactory, timeProvider ?? TimeProvider.System);
    }

    /// <summary>
    /// Applies every pending migration to every target. A failure of one target is in the report, never thrown;
    /// cancellation is not thrown either once targets have started: targets running then are rolled back, their locks
    /// released, and the report says what happened to each.
    /// </summary>
    /// <param name="targets">The targets, in any order; they run in the fleet's order (server, database, schema).</param>
    /// <param name="cancellationToken">Stops starting targets and cancels the running ones.</param>
    /// <returns>What happened to each target, and the totals.</returns>
    /// <exception cref="MigrationValidationException">The source has problems that block a run (every one listed); no target was touched.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while the source was read, before any target started.</exception>
    public async Task<FleetReport> UpAsync(IEnumerable<FleetTarget> targets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        IReadOnlyList<FleetTarget> ordered = FleetTargets.Order(targets);
        PreloadedSource source = await PrepareAsync(forStatus: false, cancellationToken).ConfigureAwait(false);
        var up = new FleetUp(_context, source, ordered, cancellationToken);
        await using (up.ConfigureAwait(false))
        {
            return await up.RunAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads where every target stands against the source: one history read per target, on pooled connections. A target
    /// that cannot be read is reported unreachable, never thrown.
    /// </summary>
    /// <param name="targets">The targets, in any order.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Each target's state, and how many are at each version.</returns>
    /// <exception cref="MigrationValidationException">The source holds no migration (unless allowed).</exception>
    public async Task<FleetStatus> GetStatusAsync(IEnumerable<FleetTarget> targets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        IReadOnlyList<FleetTarget> ordered = FleetTargets.Order(targets);
        PreloadedSource source = await PrepareAsync(forStatus: true, cancellationToken).ConfigureAwait(false);
        var read = new FleetStatusReader(_context, source, ordered);
        return await read.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the source once for the whole fleet and checks it as a run would (names, scripts, policies, placeholders
    /// with the fleet's values), so a problem is refused before any target is touched rather than once per target.
    /// </summary>
    private async Task<PreloadedSource> PrepareAsync(bool forStatus, CancellationToken cancellationToken)
    {
        SourceLoadResult raw = await CompositeMigrationSource.LoadOneAsync(_context.Source, cancellationToken).ConfigureAwait(false);
        var preloaded = new PreloadedSource(_context.Source, raw);
        // Checked as the targets' runs will read it: a fleet replaces placeholders unless told not to (TargetRun).
        var loader = new SourceLoader(preloaded, WithPlaceholders(_context.Options, !forStatus && (_context.Options.ReplacePlaceholders ?? true)), _context.Logger, _context.Time);
        SourceLoadResult checkedSource = await loader.LoadAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<ValidationProblem>(checkedSource.Problems);
        if (forStatus)
        {
            // Status reads what is there, as a single run's status does: only an empty source stops it.
            problems.RemoveAll(p => p.Code != ValidationCode.EmptySource);
        }
        else
        {
            Running.SourceChecks.Check(checkedSource.Migrations, _context.Options, problems);
        }

        if (problems.Any(p => p.Severity == ValidationSeverity.Error))
        {
            throw new MigrationValidationException(problems.Where(p => p.Severity == ValidationSeverity.Error));
        }

        return preloaded;
    }

    private static MigrationOptions WithPlaceholders(MigrationOptions options, bool replace)
    {
        MigrationOptions copy = options.Clone();
        copy.ReplacePlaceholders = replace;
        return copy;
    }
}
