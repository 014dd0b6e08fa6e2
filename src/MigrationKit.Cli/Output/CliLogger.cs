using Microsoft.Extensions.Logging;

namespace MigrationKit.Cli.Output;

/// <summary>Hands the engine's log events to <see cref="CliLog"/>, which decides what a person sees.</summary>
internal sealed class CliLogger<T>(CliLog sink) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => CliLog.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (CliLog.IsEnabled(logLevel))
        {
            sink.Write(logLevel, eventId, state as IReadOnlyList<KeyValuePair<string, object?>>, formatter(state, exception), exception);
        }
    }
}
