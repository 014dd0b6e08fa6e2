namespace MigrationKit.Linting;

/// <summary>What lint found in a set of migrations.</summary>
public sealed class LintReport
{
    internal LintReport(IReadOnlyList<LintFinding> findings, int serverVersion, int migrationCount, int statementCount)
    {
        Findings = findings;
        ServerVersion = serverVersion;
        MigrationCount = migrationCount;
        StatementCount = statementCount;
        HasErrors = findings.Any(f => f.Severity == LintSeverity.Error);
    }

    /// <summary>Gets the findings, in version order and, within a migration, in the order of the script.</summary>
    public IReadOnlyList<LintFinding> Findings { get; }

    /// <summary>Gets a value indicating whether any finding has <see cref="LintSeverity.Error"/> severity.</summary>
    public bool HasErrors { get; }

    /// <summary>
    /// Gets the PostgreSQL major version the rules followed: <see cref="MigrationLintOptions.ServerVersion"/>, else
    /// the server's when a database was read, else <see cref="MigrationLintOptions.DefaultServerVersion"/>.
    /// </summary>
    public int ServerVersion { get; }

    /// <summary>Gets how many migrations were linted.</summary>
    public int MigrationCount { get; }

    /// <summary>Gets how many statements their up scripts hold.</summary>
    public int StatementCount { get; }

    /// <summary>Returns the same report with only the findings <paramref name="keep"/> accepts.</summary>
    /// <param name="keep">Which findings stay.</param>
    /// <returns>The filtered report.</returns>
    public LintReport Only(Func<LintFinding, bool> keep) =>
        new([.. Findings.Where(keep)], ServerVersion, MigrationCount, StatementCount);
}
