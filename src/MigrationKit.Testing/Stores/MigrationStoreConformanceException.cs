namespace MigrationKit.Testing.Stores;

/// <summary>A store broke the contract of <see cref="IMigrationStore"/>: the message names the check and what differed.</summary>
public sealed class MigrationStoreConformanceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MigrationStoreConformanceException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The check and what differed.</param>
    public MigrationStoreConformanceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The check and what differed.</param>
    /// <param name="innerException">What the store threw.</param>
    public MigrationStoreConformanceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
