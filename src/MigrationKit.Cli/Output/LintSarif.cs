using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MigrationKit.Linting;

namespace MigrationKit.Cli.Output;

/// <summary>
/// <c>lint --sarif</c>: SARIF 2.1.0 as GitHub code scanning takes it: one run whose tool lists every rule
/// (<c>tool.driver.rules</c>, by id), and one result per finding with its <c>ruleId</c>, <c>level</c>, message and a
/// <c>physicalLocation</c> (the file as a relative URI, the line and column). Columns count code points, as the text
/// output does (<c>columnKind</c>). Written with <see cref="Utf8JsonWriter"/>: no reflection, Native AOT safe.
/// </summary>
internal static class LintSarif
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string InformationUri = "https://github.com/migrationkit/migrationkit";

    public static string Write(LintReport report)
    {
        string version = ToolVersion();
        var ruleIndex = LintRule.All.Select((rule, index) => (rule.Id, index)).ToDictionary(r => r.Id, r => r.index, StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", SchemaUri);
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "MigrationKit");
            json.WriteString("informationUri", InformationUri);
            json.WriteString("version", version);
            json.WriteString("semanticVersion", version);
            json.WriteStartArray("rules");
            foreach (LintRule rule in LintRule.All)
            {
                json.WriteStartObject();
                json.WriteString("id", rule.Id);
                json.WriteString("name", rule.Name);
                Text(json, "shortDescription", rule.Title);
                Text(json, "fullDescription", rule.Description);
                Text(json, "help", rule.Recipe);
                json.WriteStartObject("defaultConfiguration");
                json.WriteString("level", "warning");
                json.WriteEndObject();
                json.WriteStartObject("properties");
                json.WriteStartArray("tags");
                json.WriteStringValue("postgresql");
                json.WriteStringValue("migrations");
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteString("columnKind", "unicodeCodePoints");
            json.WriteStartArray("results");
            foreach (LintFinding finding in report.Findings)
            {
                json.WriteStartObject();
                json.WriteString("ruleId", finding.RuleId);
                json.WriteNumber("ruleIndex", ruleIndex[finding.RuleId]);
                json.WriteString("level", finding.Severity switch
                {
                    LintSeverity.Error => "error",
                    LintSeverity.Warning => "warning",
                    _ => "note",
                });
                Text(json, "message", finding.Message);
                json.WriteStartArray("locations");
                json.WriteStartObject();
                json.WriteStartObject("physicalLocation");
                json.WriteStartObject("artifactLocation");
                json.WriteString("uri", FileUri(finding.Origin));
                json.WriteEndObject();
                json.WriteStartObject("region");
                json.WriteNumber("startLine", finding.Line);
                json.WriteNumber("startColumn", finding.Column);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteStartObject("properties");
                if (finding.Lock is not null)
                {
                    json.WriteString("lock", finding.Lock);
                }

                json.WriteStartArray("blocks");
                foreach (string blocked in LintJson.LockNames(finding.Blocks))
                {
                    json.WriteStringValue(blocked);
                }

                json.WriteEndArray();
                json.WriteString("recipe", finding.Recipe);
                json.WriteNumber("version", finding.Version);
                if (finding.Table is not null)
                {
                    json.WriteString("table", finding.Table);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// A file as SARIF locates it: a relative path becomes a relative URI (forward slashes, each segment
    /// percent-encoded, no leading <c>./</c>), which code scanning resolves against the checkout; an absolute path a
    /// <c>file://</c> URI.
    /// </summary>
    public static string FileUri(string path)
    {
        if (Path.IsPathFullyQualified(path))
        {
            return new Uri(path).AbsoluteUri;
        }

        string[] segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('/', segments.SkipWhile(s => s == ".").Select(Uri.EscapeDataString));
    }

    private static void Text(Utf8JsonWriter json, string name, string text)
    {
        json.WriteStartObject(name);
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private static string ToolVersion()
    {
        string? informational = typeof(LintSarif).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return string.IsNullOrEmpty(informational) ? "0.0.0" : informational;
    }
}
