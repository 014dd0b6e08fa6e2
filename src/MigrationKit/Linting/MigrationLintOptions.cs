namespace MigrationKit.Linting;

/// <summary>
/// Lint settings: a severity per rule, and the PostgreSQL version the rules follow. Part of
/// <see cref="MigrationOptions.Lint"/>, so they bind from configuration:
/// <c>"Migrations": { "Lint": { "Rules": { "breaking-drop": "Error", "unbounded-data-change": "Off" }, "ServerVersion": 13 } }</c>.
/// </summary>
public sealed class MigrationLintOptions
{
    /// <summary>The PostgreSQL major version the rules follow when none is set and no server is read: 15.</summary>
    public const int DefaultServerVersion = 15;

    /// <summary>The oldest PostgreSQL major version <see cref="ServerVersion"/> accepts: 9 (for 9.x).</summary>
    public const int MinServerVersion = 9;

    /// <summary>
    /// Gets the severity of each rule named here, by rule id (<see cref="LintRuleIds"/>; case does not matter).
    /// A rule not named keeps its default: <see cref="LintSeverity.Warning"/> for every rule, except that
    /// <c>breaking-drop</c> and <c>breaking-rename</c> outside a post migration are <see cref="LintSeverity.Error"/>
    /// in a folder that uses deploy phases. <see cref="LintSeverity.Off"/> turns a rule off.
    /// </summary>
    /// <value>Empty by default: every rule at its default severity.</value>
    public IDictionary<string, LintSeverity> Rules { get; } = new Dictionary<string, LintSeverity>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets the PostgreSQL major version the rules follow (some depend on it, such as what rewrites a table
    /// on <c>ADD COLUMN … DEFAULT</c> before version 11). When <see langword="null"/>, lint reads the version from
    /// the server when it has one, and assumes <see cref="DefaultServerVersion"/> otherwise.
    /// </summary>
    /// <value>The default is <see langword="null"/>; when set, at least <see cref="MinServerVersion"/>.</value>
    public int? ServerVersion { get; set; }

    /// <summary>Returns a copy of these options.</summary>
    /// <returns>A new instance with the same values.</returns>
    public MigrationLintOptions Clone()
    {
        var copy = new MigrationLintOptions { ServerVersion = ServerVersion };
        foreach (KeyValuePair<string, LintSeverity> rule in Rules)
        {
            copy.Rules[rule.Key] = rule.Value;
        }

        return copy;
    }
}
