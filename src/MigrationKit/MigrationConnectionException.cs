namespace MigrationKit;

/// <summary>
/// The database could not be reached or refused the connection (an unreachable host, a wrong password, a missing
/// database), or the connection was lost outside any script: while reading the history, waiting for or holding the
/// lock, or writing the history of force, baseline or drop. The message names the host, port, database and user,
/// never the password, and says what was under way. A connection lost while a script runs is a
/// <see cref="MigrationFailedException"/> with <see cref="MigrationFailedException.IsConnectionLost"/> set instead.
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
