using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MigrationKit.Cli.Connection;
using MigrationKit.Cli.Output;
using MigrationKit.Running;
using MigrationKit.Sources;

namespace MigrationKit.Cli.Commands;

/// <summary>
/// <c>validate</c>: every problem of the folder (lint findings included, with their rule) and, when a database is
/// given, of its history; exit 1 when any is an error. Without a database the folder alone is checked and the output
/// says what was skipped.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(CommandBinder bind)
    {
        var json = new Option<bool>("--json") { Description = "Write the problems as JSON, for machines." };
        var command = new Command(
            "validate",
            "Report every problem at once: file names, scripts, policies and, with a database, drift, dirty or missing versions. Exit 1 on any error.")
        {
            json,
        };
        bind(command, async (context, cancellationToken) =>
        {
            DatabaseTarget? database = context.FindDatabase();
            ValidationReport report;
            int? migrationCount = null;
            if (database is null)
            {
                SourceValidation validation = await MigrationSourceValidator.ValidateAsync(context.CreateSource(), context.CreateOptions(null), cancellationToken);
                report = validation.Report;
                migrationCount = validation.Migrations.Count;
            }
            else
            {
                var (runner, _, _) = context.CreateRunner();
                report = await runner.ValidateAsync(cancellationToken);
            }

            context.Log.Out(context.Parse.GetValue(json)
                ? ToJson(report, database is not null)
                : ToText(report, context, database, migrationCount));
            return report.IsValid ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    private static string ToText(ValidationReport report, CommandContext context, DatabaseTarget? database, int? migrationCount)
    {
        Painter paint = context.OutPaint;
        var text = new StringBuilder();
        foreach (ValidationProblem problem in report.Problems)
        {
            string line = problem.ToString();
            text.AppendLine(problem.Severity switch
            {
                ValidationSeverity.Error => paint.Red(line),
                ValidationSeverity.Warning => paint.Yellow(line),
                _ => line,
            });
        }

        int errors = report.Errors.Count;
        int warnings = report.Problems.Count(p => p.Severity == ValidationSeverity.Warning);
        int notes = report.Problems.Count - errors - warnings;
        string checkedWhat = database is null
            ? $"{context.Source} ({Formats.Count(migrationCount ?? 0, "migration")})"
            : $"{context.Source} against {database}";
        text.Append(report.Problems.Count == 0
            ? paint.Green("No problems") + $" in {checkedWhat}."
            : $"{(errors > 0 ? paint.Red(Formats.Count(errors, "error")) : "0 errors")}, {Formats.Count(warnings, "warning")}, {Formats.Count(notes, "note")} in {checkedWhat}.");
        if (database is null)
        {
            text.AppendLine();
            text.Append($"The folder alone was checked: with no --database and no {GlobalOptions.DatabaseVariable}, the database checks (drift, dirty, missing and out-of-order versions) were skipped.");
        }

        return text.ToString();
    }

    private static string ToJson(ValidationReport report, bool databaseChecked)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", report.IsValid);
            json.WriteBoolean("databaseChecked", databaseChecked);
            json.WriteStartArray("problems");
            foreach (ValidationProblem problem in report.Problems)
            {
                json.WriteStartObject();
                json.WriteString("code", problem.Code.ToString());
                if (problem.RuleId is null)
                {
                    json.WriteNull("rule");
                }
                else
                {
                    json.WriteString("rule", problem.RuleId);
                }

                json.WriteString("severity", problem.Severity switch
                {
                    ValidationSeverity.Error => "error",
                    ValidationSeverity.Warning => "warning",
                    _ => "note",
                });
                json.WriteString("message", problem.Message);
                WriteNumberOrNull(json, "version", problem.Version);
                if (problem.Origin is null)
                {
                    json.WriteNull("origin");
                }
                else
                {
                    json.WriteString("origin", problem.Origin);
                }

                WriteNumberOrNull(json, "line", problem.Line);
                WriteNumberOrNull(json, "column", problem.Column);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
