using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MigrationKit.Postgres;

namespace MigrationKit.Fleet;

/// <summary>What every run of one <see cref="FleetRunner"/> shares: the options, the fleet settings, the loggers and the clock.</summary>
internal sealed class FleetContext
{
    public FleetContext(IMigrationSource source, MigrationOptions options, FleetOptions fleet, ILoggerFactory? loggerFactory, TimeProvider time)
    {
        Source = source;
        Options = options;
        Parallelism = fleet.Parallelism;
        MaxPerServer = fleet.MaxPerServer;
        Canary = fleet.Canary;
        OnError = fleet.OnError;
        Progress = fleet.Progress;
        Time = time;
        Logger = loggerFactory?.CreateLogger<FleetRunner>() ?? (ILogger)NullLogger.Instance;
        RunnerLogger = loggerFactory?.CreateLogger<MigrationRunner>();
        StoreLogger = loggerFactory?.CreateLogger<PostgresMigrationStore>();
        FirstAttemptStoreLogger = StoreLogger is null ? null : new QuietLockLogger(StoreLogger);
    }

    public IMigrationSource Source { get; }

    public MigrationOptions Options { get; }

    public int? Parallelism { get; }

    public int? MaxPerServer { get; }

    public int Canary { get; }

    public FleetErrorPolicy OnError { get; }

    public IProgress<FleetProgress>? Progress { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public ILogger<MigrationRunner>? RunnerLogger { get; }

    public ILogger<PostgresMigrationStore>? StoreLogger { get; }

    public ILogger<PostgresMigrationStore>? FirstAttemptStoreLogger { get; }

    /// <summary>How many targets run at once for a fleet of <paramref name="targets"/>.</summary>
    public int ParallelismFor(int targets) => Parallelism ?? Math.Max(1, Math.Min(FleetOptions.DefaultParallelism, targets));

    /// <summary>How many targets of one server run at once.</summary>
    public int MaxPerServerFor(int parallelism) => Math.Min(MaxPerServer ?? parallelism, parallelism);
}
