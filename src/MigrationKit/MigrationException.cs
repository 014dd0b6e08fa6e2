namespace MigrationKit;

/// <summary>The base of every exception MigrationKit throws for a migration that cannot go ahead.</summary>
public class MigrationException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public MigrationException()
        : base("The migration could not go ahead.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What happened and what to do.</param>
    public MigrationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public MigrationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
