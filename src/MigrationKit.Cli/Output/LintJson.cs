using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MigrationKit.Linting;

namespace MigrationKit.Cli.Output;

/// <summary>
/// <c>lint --json</c>: <c>{"findings":[{"rule","severity","file","line","column","message","lock","blocks",…}],…}</c>.
/// The field names are a contract; fields are only ever added. Written with <see cref="Utf8JsonWriter"/>, so no
/// reflection (the tool is published with Native AOT).
/// </summary>
internal static class LintJson
{
    public static string Write(LintReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("findings");
            foreach (LintFinding finding in report.Findings)
            {
                json.WriteStartObject();
                json.WriteString("rule", finding.RuleId);
                json.WriteString("severity", LintFinding.SeverityName(finding.Severity));
                json.WriteString("file", finding.Origin);
                json.WriteNumber("line", finding.Line);
                json.WriteNumber("column", finding.Column);
                json.WriteString("message", finding.Message);
                WriteStringOrNull(json, "lock", finding.Lock);
                json.WriteStartArray("blocks");
                foreach (string blocked in LockNames(finding.Blocks))
                {
                    json.WriteStringValue(blocked);
                }

                json.WriteEndArray();
                json.WriteString("recipe", finding.Recipe);
                json.WriteNumber("version", finding.Version);
                WriteStringOrNull(json, "table", finding.Table);
                WriteNumberOrNull(json, "estimatedRows", finding.EstimatedRows);
                WriteNumberOrNull(json, "totalBytes", finding.TotalBytes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("errors", report.Findings.Count(f => f.Severity == LintSeverity.Error));
            json.WriteNumber("warnings", report.Findings.Count(f => f.Severity == LintSeverity.Warning));
            json.WriteNumber("serverVersion", report.ServerVersion);
            json.WriteNumber("migrations", report.MigrationCount);
            json.WriteNumber("statements", report.StatementCount);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>What a lock blocks, as the JSON and SARIF outputs name it: <c>reads</c>, <c>writes</c>, <c>schema-changes</c>.</summary>
    public static IEnumerable<string> LockNames(BlockedOperations blocks)
    {
        if (blocks.HasFlag(BlockedOperations.Reads))
        {
            yield return "reads";
        }

        if (blocks.HasFlag(BlockedOperations.Writes))
        {
            yield return "writes";
        }

        if (blocks.HasFlag(BlockedOperations.SchemaChanges))
        {
            yield return "schema-changes";
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
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
