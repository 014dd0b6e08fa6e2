namespace MigrationKit;

/// <summary>
/// The database could not be reached or refused the connection: an unreachable host, a wrong password, a missing
/// database. The message names the host, port, database and user, never the password.
/// </summary>
public sealed class MigrationConnectionException : MigrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="isTransient">Whether trying again later may succeed (the server is not up yet, or is starting).</param>
    /// <param name="innerException">The driver's exception.</param>
    public MigrationConnectionException(string message, bool isTransient, Exception? innerException)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>Gets a value indicating whether trying again later may succeed.</summary>
    public bool IsTransient { get; }
}
