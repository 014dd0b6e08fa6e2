namespace MigrationKit;

/// <summary>Where a database stands against a source.</summary>
public sealed class MigrationStatus
{
    /// <summary>Creates a status.</summary>
    /// <param name="entries">One entry per version found in the source or the history, ordered by version.</param>
    /// <param name="historyFormat">What the history table holds.</param>
    public MigrationStatus(IReadOnlyList<MigrationStatusEntry> entries, HistoryFormat historyFormat = HistoryFormat.MigrationKit)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = entries;
        HistoryFormat = historyFormat;
        Available = [.. entries.Where(e => e.Migration is not null).Select(e => e.Migration!)];
        Applied = [.. entries.Where(e => e.Applied is not null).Select(e => e.Applied!)];
        Pending = [.. entries.Where(e => e.State == MigrationState.Pending)];
        PendingPostDeployment = [.. Pending.Where(e => e.Migration?.Phase == MigrationPhase.Post)];
        Drifted = [.. entries.Where(e => e.State == MigrationState.Drifted)];
        Missing = [.. entries.Where(e => e.State == MigrationState.Missing)];
        CurrentVersion = Applied.Count == 0 ? null : Applied.Max(a => a.Version);
        IsDirty = Applied.Any(a => a.IsDirty);
    }

    /// <summary>Gets the newest applied version, or <see langword="null"/> when none is applied (0 is a version).</summary>
    public long? CurrentVersion { get; }

    /// <summary>Gets a value indicating whether any history row is dirty.</summary>
    public bool IsDirty { get; }

    /// <summary>
    /// Gets what the history table holds. With <see cref="MigrationKit.HistoryFormat.GolangMigrate"/>, the applied
    /// entries are golang-migrate's (their <see cref="AppliedMigration.Kind"/> says so), adopted at the next run that writes.
    /// </summary>
    public HistoryFormat HistoryFormat { get; }

    /// <summary>Gets every version of the source or the history, ordered by version.</summary>
    public IReadOnlyList<MigrationStatusEntry> Entries { get; }

    /// <summary>Gets the source's migrations.</summary>
    public IReadOnlyList<Migration> Available { get; }

    /// <summary>Gets the history rows.</summary>
    public IReadOnlyList<AppliedMigration> Applied { get; }

    /// <summary>Gets the versions of the source that are not applied.</summary>
    public IReadOnlyList<MigrationStatusEntry> Pending { get; }

    /// <summary>
    /// Gets the pending migrations of the post-deployment phase (<c>-- migrationkit:phase post</c>): they wait for every
    /// replica to run the new version, and alone they leave a database healthy.
    /// </summary>
    public IReadOnlyList<MigrationStatusEntry> PendingPostDeployment { get; }

    /// <summary>Gets the applied versions whose up script changed since.</summary>
    public IReadOnlyList<MigrationStatusEntry> Drifted { get; }

    /// <summary>Gets the applied versions that are no longer in the source.</summary>
    public IReadOnlyList<MigrationStatusEntry> Missing { get; }
}
