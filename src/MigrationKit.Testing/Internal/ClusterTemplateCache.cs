using System.Globalization;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The bounds of the cluster template cache (<see cref="ClusterTemplate"/>): which templates a cluster start removes.
/// A template is removed when its binaries no longer exist or now report another version, when it has not been used
/// for <see cref="MaximumUnused"/>, when another template of the same PostgreSQL version is the one in use, or when
/// there are more than <see cref="MaximumCount"/> (the least recently used go). One used within <see cref="InUse"/>
/// is never removed, so no other process can be copying from a template as it goes.
/// </summary>
internal static class ClusterTemplateCache
{
    /// <summary>How many templates a cluster root keeps at most (about 40 MB each for PostgreSQL 15), the one in use included.</summary>
    public const int MaximumCount = 3;

    /// <summary>How long a template may go unused before a start removes it.</summary>
    public static readonly TimeSpan MaximumUnused = TimeSpan.FromDays(7);

    /// <summary>How long after its last use a template counts as in use, and is never removed.</summary>
    public static readonly TimeSpan InUse = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Returns the templates among <paramref name="templates"/> to remove, with the reason, for a start that uses (or
    /// makes) <paramref name="current"/>. <paramref name="programExists"/> says whether a recorded <c>initdb</c> still exists.
    /// </summary>
    public static IReadOnlyList<(CachedTemplate Template, string Reason)> SelectStale(
        IReadOnlyList<CachedTemplate> templates, CachedTemplate current, DateTimeOffset now, Func<string, bool> programExists)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(programExists);
        var stale = new List<(CachedTemplate Template, string Reason)>();
        var kept = new List<CachedTemplate>();
        foreach (var template in templates)
        {
            if (string.Equals(template.Name, current.Name, StringComparison.Ordinal))
            {
                continue;
            }

            var unused = now - template.LastUsed;
            if (unused < InUse)
            {
                kept.Add(template);
            }
            else if (template.InitDb is { } initDb && !programExists(initDb))
            {
                stale.Add((template, $"its binaries ({initDb}) no longer exist"));
            }
            else if (string.Equals(template.InitDb, current.InitDb, StringComparison.Ordinal)
                && !string.Equals(template.VersionText, current.VersionText, StringComparison.Ordinal))
            {
                stale.Add((template, $"its binaries ({template.InitDb}) are now {current.VersionText}"));
            }
            else if (unused >= MaximumUnused)
            {
                stale.Add((template, string.Create(CultureInfo.InvariantCulture, $"unused for {unused.TotalDays:0} days")));
            }
            else if (string.Equals(template.Version, current.Version, StringComparison.Ordinal))
            {
                stale.Add((template, $"{current.Name} is the template of PostgreSQL {current.Version} now"));
            }
            else
            {
                kept.Add(template);
            }
        }

        // The one in use takes a place whether or not it exists yet; the rest go least recently used first.
        foreach (var template in kept.OrderByDescending(t => t.LastUsed).Skip(MaximumCount - 1).Where(t => now - t.LastUsed >= InUse))
        {
            stale.Add((template, string.Create(CultureInfo.InvariantCulture, $"more than {MaximumCount} templates, and it is the least recently used")));
        }

        return stale;
    }
}

/// <summary>
/// A cluster template under the cluster root: its folder and name (<c>template-{version}-{hash}</c>), the PostgreSQL
/// version in its name, the <c>initdb</c> and version text it was made with (<see langword="null"/> for a template made
/// before they were recorded), and when it was last used.
/// </summary>
internal sealed record CachedTemplate(string Folder, string Name, string Version, string? InitDb, string? VersionText, DateTimeOffset LastUsed);
