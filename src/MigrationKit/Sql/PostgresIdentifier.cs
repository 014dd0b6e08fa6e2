using System.Text;

namespace MigrationKit.Sql;

/// <summary>The one place identifiers are quoted: every schema and table name we send goes through here.</summary>
internal static class PostgresIdentifier
{
    /// <summary>PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).</summary>
    public const int MaxBytes = 63;

    /// <summary>Whether a name can be used as-is (quoted): non-empty, no NUL, at most 63 bytes of UTF-8.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && !name.Contains('\0', StringComparison.Ordinal) && Encoding.UTF8.GetByteCount(name) <= MaxBytes;

    /// <summary>Quotes a name: <c>"name"</c> with every <c>"</c> doubled, so nothing in it is ever executed.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a schema-qualified name.</summary>
    public static string Quote(string schema, string name) => Quote(schema) + "." + Quote(name);
}
