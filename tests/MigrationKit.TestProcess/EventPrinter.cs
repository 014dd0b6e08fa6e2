using Microsoft.Extensions.Logging;

namespace MigrationKit.TestProcess;

/// <summary>Prints every log event as one line, "event &lt;EventName&gt; &lt;message&gt;", flushed at once, for a test that reads them.</summary>
internal sealed class EventPrinter<T> : ILogger<T>
{
    private static readonly object Gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string message = formatter(state, exception).ReplaceLineEndings(" ");
        lock (Gate)
        {
            Console.Out.WriteLine($"event {eventId.Name} {message}");
            Console.Out.Flush();
        }
    }
}
