using System.Globalization;

namespace MigrationKit.Linting;

/// <summary>
/// One thing lint found in a migration: which rule, where, the lock the statement takes and what that lock blocks,
/// and the safe way to write it.
/// </summary>
public sealed class LintFinding
{
    internal LintFinding(
        string ruleId,
        LintSeverity severity,
        long version,
        string origin,
        int line,
        int column,
        string? lockMode,
        BlockedOperations blocks,
        string message,
        string recipe,
        SqlName? table)
    {
        RuleId = ruleId;
        Severity = severity;
        Version = version;
        Origin = origin;
        Line = line;
        Column = column;
        Lock = lockMode;
        Blocks = blocks;
        Message = message;
        Recipe = recipe;
        TableName = table;
    }

    /// <summary>Gets the rule's id, one of <see cref="LintRuleIds"/>, such as <c>blocking-index-build</c>.</summary>
    public string RuleId { get; }

    /// <summary>Gets the severity: the rule's default, or what <see cref="MigrationLintOptions.Rules"/> sets.</summary>
    public LintSeverity Severity { get; }

    /// <summary>Gets the version of the migration.</summary>
    public long Version { get; }

    /// <summary>Gets the file or resource of the up script (the script's <see cref="MigrationScript.Origin"/>).</summary>
    public string Origin { get; }

    /// <summary>Gets the 1-based line of the statement, or of the part of it the finding is about.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column (in Unicode code points) of the statement, or of the part of it the finding is about.</summary>
    public int Column { get; }

    /// <summary>
    /// Gets the table lock the statement takes, as PostgreSQL names it (<c>SHARE</c>, <c>ACCESS EXCLUSIVE</c>,
    /// <c>SHARE UPDATE EXCLUSIVE</c>, …), or <see langword="null"/> when the finding is not about a statement's lock.
    /// </summary>
    public string? Lock { get; }

    /// <summary>Gets what waits while the statement holds <see cref="Lock"/>.</summary>
    public BlockedOperations Blocks { get; }

    /// <summary>
    /// Gets what is wrong, in a sentence or two; with a database, it ends with the table's estimated size, such as
    /// <c>(tasks: about 8.1 M rows, 1.2 GB)</c>.
    /// </summary>
    public string Message { get; }

    /// <summary>Gets the safe way to make the change.</summary>
    public string Recipe { get; }

    /// <summary>Gets the table the statement locks, as written (lower-cased unless quoted), or <see langword="null"/>.</summary>
    public string? Table => TableName?.ToString();

    /// <summary>Gets the table as lint read it, with its schema when the statement named one.</summary>
    internal SqlName? TableName { get; }

    /// <summary>Gets the table's estimated row count from the catalog (<c>reltuples</c>), when a database was read and has statistics.</summary>
    public long? EstimatedRows { get; private init; }

    /// <summary>Gets the table's size on disk with its indexes and TOAST (<c>pg_total_relation_size</c>), when a database was read.</summary>
    public long? TotalBytes { get; private init; }

    /// <summary>Returns the finding as a compiler prints one: <c>file:line:col: warning rule-id: message</c>.</summary>
    /// <returns>The finding on one line.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Origin}:{Line}:{Column}: {SeverityName(Severity)} {RuleId}: {Message}");

    /// <summary>Gets the name of a severity as output prints it: <c>error</c>, <c>warning</c>, <c>note</c>.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The name.</returns>
    public static string SeverityName(LintSeverity severity) => severity switch
    {
        LintSeverity.Error => "error",
        LintSeverity.Warning => "warning",
        _ => "note",
    };

    /// <summary>A copy that says how big the table is.</summary>
    internal LintFinding WithSize(long? estimatedRows, long totalBytes) =>
        new(RuleId, Severity, Version, Origin, Line, Column, Lock, Blocks, Message + " (" + TableSize.Describe(Table ?? "the table", estimatedRows, totalBytes) + ")", Recipe, TableName)
        {
            EstimatedRows = estimatedRows,
            TotalBytes = totalBytes,
        };
}
