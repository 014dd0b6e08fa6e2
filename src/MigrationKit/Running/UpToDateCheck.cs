using MigrationKit.Sources;
using MigrationKit.Validation;

namespace MigrationKit.Running;

/// <summary>
/// The no-op start's answer, from the source's file names and the history's versions alone, reading no script: every
/// source version is applied, nothing is dirty, and nothing is applied that the source lacks below its newest version.
/// </summary>
internal static class UpToDateCheck
{
    public static bool IsUpToDate(SourceCatalog catalog, IReadOnlyList<AppliedVersion> history, MigrationOptions options)
    {
        if (!catalog.IsClean || (catalog.Versions.Count == 0 && !options.AllowEmptySource))
        {
            return false;
        }

        var applied = new HashSet<long>(history.Count);
        foreach (AppliedVersion row in history)
        {
            if (row.IsDirty)
            {
                return false;
            }

            applied.Add(row.Version);
        }

        foreach (long version in catalog.Versions)
        {
            if (!applied.Remove(version))
            {
                return false;
            }
        }

        // Rows left over are not in the source: newer ones mean the database is ahead of this build (fine for a
        // start-up); older ones are missing files, which the full check reports.
        return catalog.Versions.Count == 0 || applied.All(v => v > catalog.Versions[^1]);
    }

    public static long? CurrentVersion(IReadOnlyList<AppliedVersion> history) =>
        history.Count == 0 ? null : history.Max(h => h.Version);

    /// <summary>
    /// Whether a run of one phase has nothing to run, read without the lock, and the current version: with the other
    /// phase pending (post-deployment migrations wait for the rollout) names alone cannot tell, so the scripts are read.
    /// </summary>
    public static async Task<(bool Idle, long? Version)> PhaseIdleAsync(IMigrationStoreSession session, SourceLoader source, MigrationIntent intent, CancellationToken cancellationToken)
    {
        SourceLoadResult loaded = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
        MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
        if (loaded.HasErrors || history.Format != HistoryFormat.MigrationKit || history.Applied.Any(a => a.IsDirty))
        {
            return (false, null);
        }

        var problems = new List<ValidationProblem>();
        IReadOnlyList<AppliedMigration> applied = history.Applied;
        bool idle = MigrationPlanner.Plan(intent, loaded.Migrations, applied, problems).Count == 0 && problems.Count == 0;
        return (idle, EffectiveHistory.CurrentVersion(applied));
    }
}
