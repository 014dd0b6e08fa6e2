using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using MigrationKit.Cli.Connection;
using MigrationKit.Cli.Output;
using MigrationKit.Linting;
using MigrationKit.Sources;

namespace MigrationKit.Cli.Commands;

/// <summary>
/// <c>lint [FILE…]</c>: the statements of the folder's up scripts that would take production down while they run
/// (the lock each takes, what it blocks, the safe way), as a compiler prints them, or as JSON or SARIF. Exit 1 when
/// a finding is an error (<c>--error RULE</c>, or a breaking change outside a post migration in a folder with deploy
/// phases); warnings alone exit 0. A database, when given, adds the server's version and each table's size.
/// </summary>
internal static class LintCommand
{
    public static Command Create(CommandBinder bind)
    {
        var files = new Argument<string[]>("file")
        {
            Description = "Up scripts of the folder to report on (default: all). The folder is still read whole: earlier migrations tell which tables exist.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Write the findings as JSON, for machines." };
        var sarif = new Option<bool>("--sarif") { Description = "Write the findings as SARIF 2.1.0, for GitHub code scanning." };
        var pgVersion = new Option<int?>("--pg-version")
        {
            Description = $"The PostgreSQL major version the rules follow. Default: the server's with a database, else {MigrationLintOptions.DefaultServerVersion}.",
            HelpName = "major",
            CustomParser = ParseVersion,
        };
        var error = new Option<string[]>("--error")
        {
            Description = "Make a rule's findings errors (exit 1). Repeat it or separate rules with commas.",
            HelpName = "rule",
            AllowMultipleArgumentsPerToken = false,
        };
        var ignore = new Option<string[]>("--ignore")
        {
            Description = "Turn a rule off. Repeat it or separate rules with commas.",
            HelpName = "rule",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command(
            "lint",
            "Find the statements that would block reads or writes on a live table, or break the running application, and say the safe way. " +
            "Exit 1 on an error-severity finding, 0 with warnings only. With a database, findings say the server's table sizes.")
        {
            files, json, sarif, pgVersion, error, ignore,
        };
        bind(command, async (context, cancellationToken) =>
        {
            bool asJson = context.Parse.GetValue(json);
            bool asSarif = context.Parse.GetValue(sarif);
            if (asJson && asSarif)
            {
                throw new CliUsageException("--json and --sarif are two ways of writing the same findings: pass one of them.");
            }

            var options = new MigrationLintOptions { ServerVersion = context.Parse.GetValue(pgVersion) };
            SetSeverities(options, context.Parse.GetValue(error), LintSeverity.Error, "--error");
            SetSeverities(options, context.Parse.GetValue(ignore), LintSeverity.Off, "--ignore");

            string[] only = context.Parse.GetValue(files) ?? [];
            string source = ChooseSource(context, only);
            if (!Directory.Exists(source))
            {
                // A mistyped path in CI must not pass as "no findings".
                throw new MigrationException($"The migrations folder '{source}' does not exist (full path {Path.GetFullPath(source)}): nothing was linted. Check --source.");
            }

            DatabaseTarget? database = context.FindDatabase();
            LintReport report;
            if (database is null)
            {
                SourceValidation validation = await MigrationSourceValidator.ValidateAsync(
                    new FileSystemMigrationSource(source), new MigrationOptions { Lint = options, AllowEmptySource = true }, cancellationToken);
                WarnAboutFolder(context, validation.Report, source);
                report = validation.Lint;
            }
            else
            {
                var (runner, _, _) = context.CreateRunner(configure: o => o.Lint = options, source: source);
                report = await runner.LintAsync(cancellationToken);
            }

            report = OnlyFiles(report, only, source);
            context.Log.Out(asJson ? LintJson.Write(report)
                : asSarif ? LintSarif.Write(report)
                : ToText(report, context.OutPaint, database, options.ServerVersion is not null));
            return report.HasErrors ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    private static int? ParseVersion(ArgumentResult result)
    {
        string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        string major = dot < 0 ? text : text[..dot];
        if (int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out int version)
            && version >= MigrationLintOptions.MinServerVersion && version <= 99)
        {
            return version;
        }

        result.AddError($"--pg-version takes a PostgreSQL major version such as 15 (or 9.6), not '{text}'.");
        return null;
    }

    private static void SetSeverities(MigrationLintOptions options, string[]? values, LintSeverity severity, string option)
    {
        foreach (string rule in (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!LintRuleIds.All.Contains(rule, StringComparer.OrdinalIgnoreCase))
            {
                throw new CliUsageException($"{option} {rule}: there is no lint rule {rule}. The rules are {string.Join(", ", LintRuleIds.All)}.");
            }

            options.Rules[rule] = severity;
        }
    }

    /// <summary>The folder to read: <c>--source</c> when given, else the one folder the files are in, else the default.</summary>
    private static string ChooseSource(CommandContext context, string[] files)
    {
        if (context.IsSourceGiven || files.Length == 0)
        {
            return context.Source;
        }

        string[] folders = [.. files.Select(f => Path.GetDirectoryName(Path.GetFullPath(f)) ?? ".").Distinct(StringComparer.Ordinal)];
        if (folders.Length > 1)
        {
            throw new CliUsageException($"The files are in {folders.Length} folders; lint reads one folder of migrations. Pass --source, or files of one folder.");
        }

        string folder = Path.GetDirectoryName(files[0]) ?? string.Empty;
        return folder.Length == 0 ? "." : folder;
    }

    private static LintReport OnlyFiles(LintReport report, string[] files, string source)
    {
        if (files.Length == 0)
        {
            return report;
        }

        var wanted = new HashSet<string>(files.Select(Path.GetFullPath), StringComparer.Ordinal);
        var linted = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in Directory.Exists(source) ? Directory.EnumerateFiles(source, "*.up.sql") : [])
        {
            linted.Add(Path.GetFullPath(file));
        }

        foreach (string file in files)
        {
            if (!linted.Contains(Path.GetFullPath(file)))
            {
                throw new CliUsageException($"{file} is not an up script of the folder {source}: lint reads the {{version}}_{{description}}.up.sql files of --source.");
            }
        }

        return report.Only(f => wanted.Contains(Path.GetFullPath(f.Origin)));
    }

    private static void WarnAboutFolder(CommandContext context, ValidationReport report, string source)
    {
        // What kept files from being read (names, duplicates, unreadable text), not lint's own findings or the policies.
        int errors = report.Errors.Count(p => p.Code is not (ValidationCode.LintFinding or ValidationCode.MissingDownScript or ValidationCode.VersionGap));
        if (errors > 0)
        {
            context.Log.Error(context.ErrorPaint.Yellow("warning: ") +
                $"{Formats.Count(errors, "problem")} in {source} kept some files from being linted; migrationkit validate lists them.");
        }
    }

    private static string ToText(LintReport report, Painter paint, DatabaseTarget? database, bool versionGiven)
    {
        var text = new StringBuilder();
        var explained = new HashSet<string>(StringComparer.Ordinal);
        foreach (LintFinding finding in report.Findings)
        {
            string severity = LintFinding.SeverityName(finding.Severity);
            string painted = finding.Severity switch
            {
                LintSeverity.Error => paint.Red(severity),
                LintSeverity.Warning => paint.Yellow(severity),
                _ => paint.Cyan(severity),
            };
            text.AppendLine(CultureInfo.InvariantCulture, $"{finding.Origin}:{finding.Line}:{finding.Column}: {painted} {paint.Bold(finding.RuleId)}: {finding.Message}");
            if (explained.Add(finding.RuleId))
            {
                text.AppendLine(paint.Dim("  safe: ") + finding.Recipe);
            }
        }

        int errors = report.Findings.Count(f => f.Severity == LintSeverity.Error);
        int warnings = report.Findings.Count(f => f.Severity == LintSeverity.Warning);
        int notes = report.Findings.Count - errors - warnings;
        string counts = report.Findings.Count == 0
            ? paint.Green("No findings")
            : string.Join(", ", new[] { (errors, "error"), (warnings, "warning"), (notes, "note") }
                .Where(c => c.Item1 > 0)
                .Select(c => c.Item2 == "error" ? paint.Red(Formats.Count(c.Item1, c.Item2)) : Formats.Count(c.Item1, c.Item2)));
        string version = database is null && !versionGiven
            ? $"PostgreSQL {report.ServerVersion} (assumed: pass --pg-version, or --database for the server's version and table sizes)"
            : $"PostgreSQL {report.ServerVersion}";
        text.Append(CultureInfo.InvariantCulture, $"{counts} in {Formats.Count(report.MigrationCount, "migration")} ({Formats.Count(report.StatementCount, "statement")}), rules for {version}.");
        return text.ToString();
    }
}
