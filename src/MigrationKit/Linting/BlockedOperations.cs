namespace MigrationKit.Linting;

/// <summary>What other sessions cannot do on a table while a statement holds its lock.</summary>
[Flags]
public enum BlockedOperations
{
    /// <summary>Nothing waits for it (or the finding is not about a lock).</summary>
    None = 0,

    /// <summary><c>SELECT</c> waits.</summary>
    Reads = 1,

    /// <summary><c>INSERT</c>, <c>UPDATE</c> and <c>DELETE</c> wait.</summary>
    Writes = 2,

    /// <summary>Other DDL, <c>VACUUM</c> and <c>ANALYZE</c> wait.</summary>
    SchemaChanges = 4,
}
