namespace MigrationKit.Testing.Internal;

/// <summary>
/// Compares the schema after a down script with the schema before the up script, object by object, and says each
/// difference in one line that names the object.
/// </summary>
internal static class CatalogDiff
{
    /// <summary>Longest definition quoted whole in a message; longer ones are quoted from their first difference.</summary>
    private const int QuoteLimit = 160;

    /// <summary>
    /// Returns how <paramref name="after"/> differs from <paramref name="before"/>, sorted by object. An object whose
    /// parent (its table, its schema, the object it comments) is missing or added the same way is not listed on its own.
    /// </summary>
    public static IReadOnlyList<SchemaDifference> Compare(CatalogSnapshot before, CatalogSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var missing = new HashSet<string>(before.Entries.Where(e => after.Find(e.Identity) is null).Select(e => e.Identity), StringComparer.Ordinal);
        var added = new HashSet<string>(after.Entries.Where(e => before.Find(e.Identity) is null).Select(e => e.Identity), StringComparer.Ordinal);
        var differences = new List<SchemaDifference>();
        foreach (var entry in before.Entries)
        {
            if (missing.Contains(entry.Identity))
            {
                if (entry.Parent is null || !missing.Contains(entry.Parent))
                {
                    differences.Add(new SchemaDifference
                    {
                        ObjectName = entry.Identity,
                        Change = SchemaChange.Missing,
                        Before = entry.Definition,
                        Message = $"{entry.Identity} is missing after down",
                    });
                }
            }
            else if (after.Find(entry.Identity) is { } now && !string.Equals(now.Definition, entry.Definition, StringComparison.Ordinal))
            {
                differences.Add(new SchemaDifference
                {
                    ObjectName = entry.Identity,
                    Change = SchemaChange.Changed,
                    Before = entry.Definition,
                    After = now.Definition,
                    Message = $"{entry.Identity} differs after down: {Contrast(entry.Definition, now.Definition)}",
                });
            }
        }

        foreach (var entry in after.Entries)
        {
            if (added.Contains(entry.Identity) && (entry.Parent is null || !added.Contains(entry.Parent)))
            {
                differences.Add(new SchemaDifference
                {
                    ObjectName = entry.Identity,
                    Change = SchemaChange.Added,
                    After = entry.Definition,
                    Message = $"{entry.Identity} is left over after down (it did not exist before the up)",
                });
            }
        }

        differences.Sort((a, b) => string.CompareOrdinal(a.ObjectName, b.ObjectName));
        return differences;
    }

    /// <summary>
    /// Says how two definitions differ in one line: both whole when they are short single lines, else the first line
    /// that differs (the line number counts from the definition's first line).
    /// </summary>
    internal static string Contrast(string before, string after)
    {
        if (!before.Contains('\n', StringComparison.Ordinal) && !after.Contains('\n', StringComparison.Ordinal)
            && before.Length <= QuoteLimit && after.Length <= QuoteLimit)
        {
            return $"was {Show(before)}, now {Show(after)}";
        }

        var beforeLines = before.Split('\n');
        var afterLines = after.Split('\n');
        var line = 0;
        while (line < beforeLines.Length && line < afterLines.Length && string.Equals(beforeLines[line], afterLines[line], StringComparison.Ordinal))
        {
            line++;
        }

        var was = line < beforeLines.Length ? Show(Excerpt(beforeLines[line], afterLines.ElementAtOrDefault(line))) : "(no such line)";
        var now = line < afterLines.Length ? Show(Excerpt(afterLines[line], beforeLines.ElementAtOrDefault(line))) : "(no such line)";
        return beforeLines.Length == 1 && afterLines.Length == 1
            ? $"was {was}, now {now}"
            : $"line {line + 1} of its definition was {was}, now {now}";
    }

    private static string Show(string text) => text.Length == 0 ? "(empty)" : text.Trim();

    /// <summary>A long line quoted from a little before where it starts to differ from <paramref name="other"/>.</summary>
    private static string Excerpt(string text, string? other)
    {
        if (text.Length <= QuoteLimit)
        {
            return text;
        }

        var common = 0;
        while (other is not null && common < text.Length && common < other.Length && text[common] == other[common])
        {
            common++;
        }

        var start = Math.Max(0, common - 40);
        var length = Math.Min(QuoteLimit, text.Length - start);
        return string.Concat(start > 0 ? "…" : string.Empty, text.AsSpan(start, length), start + length < text.Length ? "…" : string.Empty);
    }
}
