namespace MigrationKit.Linting;

/// <summary>PostgreSQL's table lock modes as lint names them, and what each keeps other sessions from doing.</summary>
internal static class LockModes
{
    public const string AccessExclusive = "ACCESS EXCLUSIVE";
    public const string Share = "SHARE";
    public const string ShareRowExclusive = "SHARE ROW EXCLUSIVE";
    public const string ShareUpdateExclusive = "SHARE UPDATE EXCLUSIVE";
    public const string RowExclusive = "ROW EXCLUSIVE";

    public const BlockedOperations Everything = BlockedOperations.Reads | BlockedOperations.Writes | BlockedOperations.SchemaChanges;
    public const BlockedOperations WritesAndSchemaChanges = BlockedOperations.Writes | BlockedOperations.SchemaChanges;

    /// <summary>What a lock mode blocks, as the conflict table of PostgreSQL's documentation has it.</summary>
    public static BlockedOperations Blocks(string mode) => mode switch
    {
        AccessExclusive => Everything,
        Share or ShareRowExclusive => WritesAndSchemaChanges,
        ShareUpdateExclusive => BlockedOperations.SchemaChanges,

        // Its table lock blocks only index builds and stronger; the row locks it takes with it block writes to the rows.
        RowExclusive => BlockedOperations.Writes,
        _ => BlockedOperations.None,
    };

    /// <summary>Says what waits, for messages: <c>reads, writes and schema changes wait</c>.</summary>
    public static string Describe(BlockedOperations blocks) => blocks switch
    {
        Everything => "reads, writes and schema changes wait",
        WritesAndSchemaChanges => "writes and schema changes wait (reads go on)",
        BlockedOperations.Writes => "writes to those rows wait",
        BlockedOperations.SchemaChanges => "only schema changes wait (reads and writes go on)",
        _ => "nothing waits",
    };
}
