using Microsoft.Extensions.Logging;

namespace MigrationKit.Cli.Output;

/// <summary>
/// Loggers whose events go to standard error with <c>--verbose</c> and nowhere otherwise
/// (<see cref="CliLog.WriteVerbose"/>): for the testing helper's server and the runs verify makes on its throwaway
/// database, which are not the command's output.
/// </summary>
internal sealed class VerboseLoggerFactory(CliLog sink) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new VerboseLogger(sink);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class VerboseLogger(CliLog sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => sink.IsVerbose && CliLog.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                sink.WriteVerbose(logLevel, eventId, formatter(state, exception), exception);
            }
        }
    }
}
