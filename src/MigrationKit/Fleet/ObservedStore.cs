namespace MigrationKit.Fleet;

/// <summary>
/// A store seen through by a fleet: every call goes to the store as it is; the history reads and the migrations applied
/// are noted in the target's <see cref="TargetObservation"/>, so the report can say what this process did to the target
/// even when its run failed or was cancelled, and when another process did the work.
/// </summary>
internal sealed class ObservedStore(IMigrationStore store, TargetObservation observation) : IMigrationStore
{
    public async Task<IMigrationStoreSession> OpenSessionAsync(CancellationToken cancellationToken = default) =>
        new ObservedSession(await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false), observation);

    private sealed class ObservedSession(IMigrationStoreSession session, TargetObservation observation) : IMigrationStoreSession
    {
        public string HistoryTable => session.HistoryTable;

        public Task<MigrationHistory> ReadHistoryAsync(CancellationToken cancellationToken = default) => session.ReadHistoryAsync(cancellationToken);

        public async Task<IReadOnlyList<AppliedVersion>?> ReadVersionsAsync(CancellationToken cancellationToken = default)
        {
            IReadOnlyList<AppliedVersion>? versions = await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false);
            observation.Saw(versions);
            return versions;
        }

        public Task AcquireLockAsync(CancellationToken cancellationToken = default) => session.AcquireLockAsync(cancellationToken);

        public Task ReleaseLockAsync(CancellationToken cancellationToken = default) => session.ReleaseLockAsync(cancellationToken);

        public void CheckPlan(IReadOnlyList<PlannedMigration> steps, ICollection<ValidationProblem> problems) => session.CheckPlan(steps, problems);

        public Task<MigrationHistory> PrepareHistoryAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default) =>
            session.PrepareHistoryAsync(migrations, cancellationToken);

        public async Task<TimeSpan> ApplyAsync(PlannedMigration planned, CancellationToken cancellationToken = default)
        {
            TimeSpan duration = await session.ApplyAsync(planned, cancellationToken).ConfigureAwait(false);
            if (planned.Direction == MigrationDirection.Up)
            {
                observation.Applying(planned.Version);
            }

            return duration;
        }

        public Task ForceAsync(long? version, IReadOnlyList<Migration> recorded, CancellationToken cancellationToken = default) =>
            session.ForceAsync(version, recorded, cancellationToken);

        public Task BaselineAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default) =>
            session.BaselineAsync(migrations, cancellationToken);

        public Task RepairAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default) =>
            session.RepairAsync(migrations, cancellationToken);

        public Task DropAsync(CancellationToken cancellationToken = default) => session.DropAsync(cancellationToken);

        public Task<IReadOnlyList<string>> ReadInvalidIndexesAsync(CancellationToken cancellationToken = default) =>
            session.ReadInvalidIndexesAsync(cancellationToken);

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
