namespace MigrationKit.Linting;

/// <summary>
/// Finds the migrations that would take production down while they run: the statements that hold a lock that
/// blocks reads or writes for as long as the table is big, and the ones that break the application version still
/// running during a deploy. Works on the text alone; <see cref="IMigrationRunner.LintAsync"/> adds the server's
/// version and each table's size from the database.
/// </summary>
/// <remarks>
/// <para>
/// "A table that exists before the migration" is known from the migrations before it: a table created earlier in
/// the same migration is new and empty, so indexing it or adding a constraint to it is fine; a table lint never saw
/// created (made before the first migration of the folder, say) exists. With <see cref="LintPending"/>, a table
/// created by an earlier migration of the same run is new too.
/// </para>
/// <para>Linting never throws for any script text, and never touches a database. An instance is safe to share.</para>
/// </remarks>
public sealed class MigrationLinter
{
    private readonly MigrationLintOptions _options;

    /// <summary>Creates a linter.</summary>
    /// <param name="options">Severities and the server version; <see langword="null"/> for the defaults. They are copied.</param>
    /// <exception cref="ArgumentException">The options name a rule that does not exist, a severity that is not defined, or a server version below 9.</exception>
    public MigrationLinter(MigrationLintOptions? options = null)
    {
        _options = options?.Clone() ?? new MigrationLintOptions();
        IReadOnlyList<string> problems = Check(_options);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }
    }

    /// <summary>
    /// Lints every migration as a new folder state would be deployed: each in the context of the ones before it,
    /// which are taken to be applied already.
    /// </summary>
    /// <param name="migrations">The migrations of a source, in any order.</param>
    /// <returns>The findings, with the severities of the options.</returns>
    public LintReport Lint(IEnumerable<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        return LintEngine.Run(migrations, null, _options, _options.ServerVersion ?? MigrationLintOptions.DefaultServerVersion);
    }

    /// <summary>
    /// Lints the migrations a run is about to apply, each in the context of every migration before it: a table that
    /// an earlier pending migration creates is new (empty) for the ones after it, so indexing it is not a finding.
    /// </summary>
    /// <param name="migrations">Every migration of the source, applied and pending, in any order.</param>
    /// <param name="pendingVersions">The versions the run is about to apply; only they are linted.</param>
    /// <returns>The findings of the pending migrations.</returns>
    public LintReport LintPending(IEnumerable<Migration> migrations, IEnumerable<long> pendingVersions)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentNullException.ThrowIfNull(pendingVersions);
        return LintEngine.Run(migrations, pendingVersions.ToHashSet(), _options, _options.ServerVersion ?? MigrationLintOptions.DefaultServerVersion);
    }

    /// <summary>Lints with the version of a server the caller has read: the options' version, when set, still wins.</summary>
    internal LintReport Lint(IEnumerable<Migration> migrations, IReadOnlySet<long>? pending, int? serverVersion) =>
        LintEngine.Run(migrations, pending, _options, _options.ServerVersion ?? serverVersion ?? MigrationLintOptions.DefaultServerVersion);

    /// <summary>Checks lint options, naming every wrong one.</summary>
    internal static IReadOnlyList<string> Check(MigrationLintOptions options)
    {
        var problems = new List<string>();
        foreach ((string rule, LintSeverity severity) in options.Rules)
        {
            if (LintRule.Find(rule) is null)
            {
                problems.Add($"Lint:Rules names the rule '{rule}', which does not exist; the rules are {string.Join(", ", LintRuleIds.All)}.");
            }

            if (!Enum.IsDefined(severity))
            {
                problems.Add($"Lint:Rules:{rule} must be Off, Info, Warning or Error (it is {(int)severity}).");
            }
        }

        if (options.ServerVersion is { } version && (version < MigrationLintOptions.MinServerVersion || version > 99))
        {
            problems.Add($"Lint:ServerVersion must be a PostgreSQL major version from {MigrationLintOptions.MinServerVersion} on, such as 15 (it is {version}).");
        }

        return problems;
    }
}
