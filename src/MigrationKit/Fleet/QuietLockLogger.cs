using Microsoft.Extensions.Logging;
using MigrationKit.Postgres;

namespace MigrationKit.Fleet;

/// <summary>
/// The store's logger for a fleet's first attempt at a target, which does not wait for a lock another process holds:
/// that is no error there (the target is tried again at the end, and the fleet logs <c>FleetTargetBusy</c>), so the
/// store's <c>LockTimedOut</c> event (2003) is left out; everything else goes through.
/// </summary>
internal sealed class QuietLockLogger(ILogger<PostgresMigrationStore> inner) : ILogger<PostgresMigrationStore>
{
    private const int LockTimedOut = 2003;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id != LockTimedOut)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
