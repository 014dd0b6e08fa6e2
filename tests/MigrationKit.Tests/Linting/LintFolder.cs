using System.Globalization;
using MigrationKit.Linting;

namespace MigrationKit.Tests.Linting;

/// <summary>Builds folders of migrations from up scripts (versions 1, 2, 3, …) and lints them.</summary>
internal static class LintFolder
{
    /// <summary>A first migration that creates the tables the rule cases work on; later migrations find them existing.</summary>
    public const string Tables = """
        CREATE TABLE projects (id bigint PRIMARY KEY, name text NOT NULL);
        CREATE TABLE tasks (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            project_id bigint,
            title varchar(100) NOT NULL,
            status text,
            note text,
            amount numeric(10,2)
        );
        CREATE INDEX tasks_status_idx ON tasks (status);
        CREATE INDEX tasks_title_idx ON tasks (title);
        """;

    public static Migration[] Folder(params string[] ups) =>
        [.. ups.Select((up, i) => Migration(i + 1, up))];

    public static Migration Migration(long version, string up)
    {
        string name = version.ToString("D3", CultureInfo.InvariantCulture) + "_m" + version.ToString(CultureInfo.InvariantCulture);
        return new Migration(version, "m" + version.ToString(CultureInfo.InvariantCulture), new MigrationScript(up, name + ".up.sql"));
    }

    public static LintReport Lint(params string[] ups) => new MigrationLinter().Lint(Folder(ups));

    public static LintReport Lint(MigrationLintOptions options, params string[] ups) => new MigrationLinter(options).Lint(Folder(ups));

    /// <summary>The rule ids of the findings, in order.</summary>
    public static string[] Rules(this LintReport report) => [.. report.Findings.Select(f => f.RuleId)];

    /// <summary>Every finding on one line each, for assertion messages.</summary>
    public static string Describe(this LintReport report) =>
        report.Findings.Count == 0 ? "no findings" : string.Join(Environment.NewLine, report.Findings);
}
