namespace MigrationKit.Linting;

/// <summary>A finding before suppressions and severities: the rule, the statement and where in it, the lock, the message.</summary>
internal sealed record RawFinding(string RuleId, int StatementIndex, int Offset, string? Lock, BlockedOperations Blocks, string Message, SqlName? Table);
