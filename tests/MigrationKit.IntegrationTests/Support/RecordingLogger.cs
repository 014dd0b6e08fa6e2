using Microsoft.Extensions.Logging;
using MigrationKit.Postgres;
using MigrationKit.Running;

namespace MigrationKit.IntegrationTests.Support;

/// <summary>One log event as the engine wrote it.</summary>
public sealed record LogRecord(LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State, Exception? Exception)
{
    /// <summary>Everything of the event that could carry text: the message, every state value, the exception with its inner ones.</summary>
    public string AllText => Message + "\n" + string.Join("\n", State.Select(p => $"{p.Key}={p.Value}")) + "\n" + Exception;
}

/// <summary>
/// Records every event at every level (Trace included), and can hold the logging thread at a chosen event until the
/// test lets it go: the engine logs synchronously, so a held event is a point in the run where a test injects a fault.
/// One instance serves as the runner's and the store's logger.
/// </summary>
public sealed class RecordingLogger : ILogger<MigrationRunner>, ILogger<PostgresMigrationStore>
{
    private readonly List<LogRecord> _records = [];
    private readonly List<(Func<LogRecord, bool> Match, TaskCompletionSource Reached, TaskCompletionSource Release)> _holds = [];
    private readonly List<(Func<LogRecord, bool> Match, Action Action)> _actions = [];

    public IReadOnlyList<LogRecord> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>
    /// Holds the first event matching <paramref name="match"/>: returns a task that completes when the engine reaches it
    /// and an action that lets the engine go on.
    /// </summary>
    public (Task Reached, Action Release) HoldAt(Func<LogRecord, bool> match)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_holds)
        {
            _holds.Add((match, reached, release));
        }

        return (reached.Task, () => release.TrySetResult());
    }

    /// <summary>Runs <paramref name="action"/> on the engine's flow at the first event matching <paramref name="match"/>, without holding it.</summary>
    public void At(Func<LogRecord, bool> match, Action action)
    {
        lock (_holds)
        {
            _actions.Add((match, action));
        }
    }

    /// <summary>Holds at the first event of this name.</summary>
    public (Task Reached, Action Release) HoldAt(string eventName, Func<LogRecord, bool>? also = null) =>
        HoldAt(r => r.EventId.Name == eventName && (also is null || also(r)));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        IReadOnlyList<KeyValuePair<string, object?>> values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        var record = new LogRecord(logLevel, eventId, formatter(state, exception), [.. values], exception);
        lock (_records)
        {
            _records.Add(record);
        }

        TaskCompletionSource? release = null;
        Action? action = null;
        lock (_holds)
        {
            int acting = _actions.FindIndex(a => a.Match(record));
            if (acting >= 0)
            {
                action = _actions[acting].Action;
                _actions.RemoveAt(acting);
            }

            int index = _holds.FindIndex(h => h.Match(record));
            if (index >= 0)
            {
                (_, TaskCompletionSource reached, release) = _holds[index];
                _holds.RemoveAt(index);
                reached.TrySetResult();
            }
        }

        action?.Invoke();

        // The engine logs on its own flow; holding it here is the fault's injection point. The test always releases.
        if (release is not null && !release.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("The test did not release a held log event within 60 s.");
        }
    }
}
