namespace MigrationKit.Cli;

/// <summary>The command line cannot be used as given (exit code 2); the message says what to change.</summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message)
        : base(message)
    {
    }

    public CliUsageException()
        : base("The command line cannot be used as given.")
    {
    }

    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
