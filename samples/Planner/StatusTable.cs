using System.Globalization;
using System.Text;
using MigrationKit;

namespace Planner;

/// <summary>The migration status as a plain text table, as <c>--migrate-only</c> and every start print it.</summary>
internal static class StatusTable
{
    public static string Render(MigrationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        int descriptionWidth = Math.Max("Description".Length, status.Entries.Select(e => e.Description.Length).DefaultIfEmpty(0).Max());
        int versionWidth = Math.Max("Version".Length, status.Entries.Select(e => Invariant(e.Version).Length).DefaultIfEmpty(0).Max());
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"Version".PadLeft(versionWidth)}  {"Description".PadRight(descriptionWidth)}  {"State",-8}  {"Applied at (UTC)",-19}  {"Took",8}");
        foreach (MigrationStatusEntry entry in status.Entries)
        {
            string appliedAt = entry.Applied?.AppliedAt is { } applied
                ? applied.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
                : "-";
            string took = entry.Applied?.ExecutionTime is { } time ? Invariant((long)time.TotalMilliseconds) + " ms" : "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"{Invariant(entry.Version).PadLeft(versionWidth)}  {entry.Description.PadRight(descriptionWidth)}  {entry.State.ToString().ToLowerInvariant(),-8}  {appliedAt,-19}  {took,8}");
        }

        text.Append(CultureInfo.InvariantCulture, $"Database at version {status.CurrentVersion}, {(status.IsDirty ? "DIRTY" : "clean")}, {status.Pending.Count} pending");
        if (status.Drifted.Count > 0 || status.Missing.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {status.Drifted.Count} drifted, {status.Missing.Count} missing from the source");
        }

        return text.Append('.').AppendLine().ToString();
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
