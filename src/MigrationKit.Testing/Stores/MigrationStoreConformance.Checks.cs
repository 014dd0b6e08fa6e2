namespace MigrationKit.Testing.Stores;

/// <summary>The checks of the store conformance suite, one method each, named in <see cref="MigrationStoreConformance.CheckNames"/>.</summary>
public sealed partial class MigrationStoreConformance
{
    private async Task NewStoreHasNoHistoryAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            Expect(history.Format == HistoryFormat.None, $"a new store's history format is {history.Format}, expected None");
            Expect(history.Applied.Count == 0, $"a new store records {Versions(history.Applied)}");
            Expect(await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false) is null, "ReadVersionsAsync of a store with no history table is not null");
        }
    }

    private async Task PrepareCreatesEmptyHistoryAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            Expect(history.Format == HistoryFormat.MigrationKit && history.Applied.Count == 0, $"after PrepareHistoryAsync the history is {history.Format} with {Versions(history.Applied)}");
            IReadOnlyList<AppliedVersion>? versions = await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false);
            Expect(versions is { Count: 0 }, "ReadVersionsAsync of an empty prepared history is not an empty list");
        }
    }

    private async Task UpRecordsAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration migration = Table(0);
            await session.ApplyAsync(new PlannedMigration(migration, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1, $"after one up the history records {Versions(rows)}");
            AppliedMigration row = rows[0];
            Expect(row.Version == 0, $"version 0 was recorded as {row.Version}");
            Expect(row.Description == migration.Description, $"the description was recorded as '{row.Description}'");
            Expect(row.Checksum == migration.Up.Checksum, $"the checksum was recorded as '{row.Checksum}'");
            Expect(!row.IsDirty, "the row is dirty");
            Expect(row.Kind == HistoryRecordKind.Applied, $"the row was recorded as {row.Kind}");
        }
    }

    private async Task DownDeletesAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(1), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ApplyAsync(new PlannedMigration(Table(2), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ApplyAsync(new PlannedMigration(Table(2), MigrationDirection.Down), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Select(r => r.Version).SequenceEqual([1L]), $"after up 1, up 2, down 2 the history records {Versions(rows)}");
        }
    }

    private async Task OutsideTransactionRecordsCleanAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(3, outsideTransaction: true), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1 && rows[0].Version == 3 && !rows[0].IsDirty, $"after a script outside a transaction the history is {Versions(rows)} (dirty: {rows.Any(r => r.IsDirty)})");
        }
    }

    private async Task FailedTransactionalRecordsNothingAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await ExpectFailureAsync(() => session.ApplyAsync(new PlannedMigration(Failing(4, outsideTransaction: false), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 0, $"a failed transactional script left {Versions(rows)} in the history");
        }
    }

    private async Task FailedOutsideTransactionIsDirtyAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            MigrationFailedException failure = await ExpectFailureAsync(
                () => session.ApplyAsync(new PlannedMigration(Failing(5, outsideTransaction: true), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            Expect(failure.RanOutsideTransaction, "the failure does not say the script ran outside a transaction");
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1 && rows[0].Version == 5 && rows[0].IsDirty, $"a failed script outside a transaction left {Versions(rows)} (dirty: {rows.Any(r => r.IsDirty)}), expected version 5 dirty");
        }
    }

    private async Task AlreadyRecordedIsRefusedAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration inside = Table(6);
            Migration outside = Table(7, outsideTransaction: true);
            await session.ApplyAsync(new PlannedMigration(inside, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ApplyAsync(new PlannedMigration(outside, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            foreach (Migration again in new[] { inside, outside })
            {
                Exception? error = await CatchAsync(() => session.ApplyAsync(new PlannedMigration(again, MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
                Expect(error is MigrationException, $"applying recorded version {again.Version} again did not fail with a MigrationException ({error?.GetType().Name ?? "no exception"})");
            }

            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 2 && rows.All(r => !r.IsDirty), $"after the refused re-runs the history is {Versions(rows)} (dirty: {rows.Any(r => r.IsDirty)}): a clean row must never be marked dirty again");
        }
    }

    private async Task WritesNeedTheLockAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Exception? error = await CatchAsync(() => session.ApplyAsync(new PlannedMigration(Table(8), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            Expect(error is InvalidOperationException, $"ApplyAsync without the lock threw {error?.GetType().Name ?? "nothing"}, expected InvalidOperationException");
            error = await CatchAsync(() => session.ForceAsync(null, [], cancellationToken)).ConfigureAwait(false);
            Expect(error is InvalidOperationException, $"ForceAsync without the lock threw {error?.GetType().Name ?? "nothing"}, expected InvalidOperationException");
        }
    }

    private async Task LockIsExclusiveAsync(CancellationToken cancellationToken)
    {
        IMigrationStore store = await _createStore(new MigrationOptions { LockTimeout = ShortLockTimeout }, cancellationToken).ConfigureAwait(false);
        IMigrationStoreSession first = await OpenAsync(cancellationToken, store).ConfigureAwait(false);
        await using (first.ConfigureAwait(false))
        {
            IMigrationStoreSession second = await OpenAsync(cancellationToken, store).ConfigureAwait(false);
            await using (second.ConfigureAwait(false))
            {
                await first.AcquireLockAsync(cancellationToken).ConfigureAwait(false);
                Exception? error = await CatchAsync(() => second.AcquireLockAsync(cancellationToken)).ConfigureAwait(false);
                Expect(error is MigrationLockTimeoutException, $"a second session took the held lock ({error?.GetType().Name ?? "no exception"}, expected MigrationLockTimeoutException)");
                await first.ReleaseLockAsync(cancellationToken).ConfigureAwait(false);
                error = await CatchAsync(() => second.AcquireLockAsync(cancellationToken)).ConfigureAwait(false);
                Expect(error is null, $"the second session could not take the lock after the first released it: {error?.Message}");
                await second.ReleaseLockAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReleaseWithoutLockAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Exception? error = await CatchAsync(() => session.ReleaseLockAsync(cancellationToken)).ConfigureAwait(false);
            Expect(error is null, $"releasing a lock that is not held threw {error?.GetType().Name}");
        }
    }

    private async Task ForceAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration[] all = [Table(1), Table(2), Table(3), Table(4)];
            await session.ApplyAsync(new PlannedMigration(all[0], MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await ExpectFailureAsync(() => session.ApplyAsync(new PlannedMigration(Failing(4, outsideTransaction: true), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            await session.ForceAsync(3, [.. all.Take(3)], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Select(r => r.Version).SequenceEqual([1L, 2L, 3L]), $"after force 3 the history records {Versions(rows)}, expected [1, 2, 3]");
            Expect(rows.All(r => !r.IsDirty), "force left a dirty row");
            Expect(rows[0].Kind == HistoryRecordKind.Applied, $"force changed the applied row 1 to {rows[0].Kind}");
            Expect(rows[1].Kind == HistoryRecordKind.Forced && rows[2].Kind == HistoryRecordKind.Forced, $"rows 2 and 3 were recorded as {rows[1].Kind} and {rows[2].Kind}, expected Forced");
            Expect(rows[2].Checksum == all[2].Up.Checksum, "a forced row does not carry the source's checksum");
        }
    }

    private async Task ForceToNoneAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(0), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.ForceAsync(null, [], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 0, $"after force to none the history records {Versions(rows)}");
        }
    }

    private async Task BaselineAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.BaselineAsync([Table(1), Table(2)], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 2 && rows.All(r => r.Kind == HistoryRecordKind.Baselined && !r.IsDirty), $"after a baseline of 1 and 2 the history is {Versions(rows)} ({string.Join(", ", rows.Select(r => r.Kind))})");
        }
    }

    private async Task RepairAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            Migration original = Table(1);
            await session.ApplyAsync(new PlannedMigration(original, MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            var edited = new Migration(1, original.Description, new MigrationScript(original.Up.Sql + "\n-- a comment", original.Up.Origin), original.Down);
            await session.RepairAsync([edited], cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(rows.Count == 1 && rows[0].Checksum == edited.Up.Checksum, "repair did not record the edited script's checksum");
            Expect(rows[0].Kind == HistoryRecordKind.Applied && rows[0].Description == original.Description, "repair changed more than the checksum");
        }
    }

    private async Task DropAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(1), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await session.DropAsync(cancellationToken).ConfigureAwait(false);
            MigrationHistory history = await session.ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
            Expect(history.Format == HistoryFormat.None && history.Applied.Count == 0, $"after drop the history is {history.Format} with {Versions(history.Applied)}");
        }
    }

    private async Task VersionsReadAgreesAsync(CancellationToken cancellationToken)
    {
        IMigrationStoreSession session = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ApplyAsync(new PlannedMigration(Table(1), MigrationDirection.Up), cancellationToken).ConfigureAwait(false);
            await ExpectFailureAsync(() => session.ApplyAsync(new PlannedMigration(Failing(2, outsideTransaction: true), MigrationDirection.Up), cancellationToken)).ConfigureAwait(false);
            IReadOnlyList<AppliedVersion>? versions = await session.ReadVersionsAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AppliedMigration> rows = await RowsAsync(session, cancellationToken).ConfigureAwait(false);
            Expect(
                versions is not null && versions.OrderBy(v => v.Version).SequenceEqual(rows.Select(r => new AppliedVersion(r.Version, r.IsDirty))),
                $"ReadVersionsAsync gave [{string.Join(", ", versions ?? [])}] where the history is {Versions(rows)}");
        }
    }
}
