using System.Globalization;
using System.Text.RegularExpressions;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The naming and owner-file convention of cluster folders: <c>{pid}-{random hex}</c> (or with a
/// <c>.template</c> suffix while a template is being made), holding a file <c>owner</c> with the owning
/// process id and its start time, so folders of dead processes can be recognised and removed.
/// </summary>
internal static partial class ClusterOwnerFile
{
    /// <summary>The name of the owner file inside a cluster folder.</summary>
    public const string FileName = "owner";

    /// <summary>Returns a new, unique folder name owned by <paramref name="processId"/>.</summary>
    public static string NewFolderName(int processId, string suffix = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{processId}-{ClusterRoot.RandomHex(6)}{suffix}");

    /// <summary>Writes the owner file into <paramref name="folder"/>.</summary>
    public static void Write(string folder, int processId, long? startTicks)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{processId}\n{startTicks?.ToString(CultureInfo.InvariantCulture) ?? "-"}\n");
        File.WriteAllText(Path.Combine(folder, FileName), text);
    }

    /// <summary>
    /// Reads who owns <paramref name="folder"/>: the process id from its name, the start time from its owner file
    /// when readable. Returns <see langword="false"/> for folders that do not follow the convention (e.g. templates).
    /// </summary>
    public static bool TryRead(string folder, out int processId, out long? startTicks)
    {
        startTicks = null;
        var match = FolderNamePattern().Match(Path.GetFileName(folder));
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out processId))
        {
            processId = 0;
            return false;
        }

        try
        {
            var lines = File.ReadAllLines(Path.Combine(folder, FileName));
            if (lines.Length >= 2 && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                startTicks = ticks;
            }
        }
        catch (IOException)
        {
            // Not written yet, or being removed: the id in the name is enough.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }

        return true;
    }

    [GeneratedRegex(@"^([0-9]{1,10})-[0-9a-f]+(\.template)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FolderNamePattern();
}
