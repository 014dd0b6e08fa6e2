namespace MigrationKit;

/// <summary>
/// One run's connection to the store: the history, the lock, and applying scripts with their history records.
/// Methods that change the history are called only while the lock is held.
/// </summary>
/// <remarks>
/// A store is judged by the conformance suite in <c>MigrationKit.Testing</c> (<c>MigrationStoreConformance</c>), which
/// the PostgreSQL store passes in both lock modes and the in-memory store passes too.
/// </remarks>
public interface IMigrationStoreSession : IAsyncDisposable
{
    /// <summary>Gets the quoted name of the history table, for messages (for example <c>"public"."schema_migrations"</c>).</summary>
    string HistoryTable { get; }

    /// <summary>
    /// Reads the history as it is, without taking the lock: MigrationKit's rows, golang-migrate's version and dirty flag
    /// when its table is there, or <see cref="MigrationHistory.None"/> when there is no history table yet.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history.</returns>
    Task<MigrationHistory> ReadHistoryAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads only the applied versions and their dirty flags, or <see langword="null"/> when the history is not a
    /// MigrationKit table (none yet, or golang-migrate's): the no-op start's read. The default reads the whole history.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The versions, or <see langword="null"/>.</returns>
    async Task<IReadOnlyList<AppliedVersion>?> ReadVersionsAsync(CancellationToken cancellationToken = default)
    {
        MigrationHistory history = await ReadHistoryAsync(cancellationToken).ConfigureAwait(false);
        return history.Format == HistoryFormat.MigrationKit
            ? [.. history.Applied.Select(a => new AppliedVersion(a.Version, a.IsDirty))]
            : null;
    }

    /// <summary>
    /// Takes the migration lock, waiting for another runner up to <see cref="MigrationOptions.LockTimeout"/>. Refuses,
    /// before taking anything, a connection that cannot write (a standby, a read-only session).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the lock is held.</returns>
    /// <exception cref="MigrationLockTimeoutException">The lock was not granted in time.</exception>
    /// <exception cref="MigrationException">The connection cannot write, or cannot hold the configured kind of lock.</exception>
    Task AcquireLockAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases the migration lock, if this session holds it. A release that fails is logged, never thrown.</summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when the lock is released.</returns>
    Task ReleaseLockAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds to <paramref name="problems"/> what this connection cannot run of a plan, before anything runs (for example a
    /// script outside a transaction that changes session settings, behind a transaction pooler). Called with the lock
    /// held. The default finds nothing.
    /// </summary>
    /// <param name="steps">The plan.</param>
    /// <param name="problems">Where to add problems.</param>
    void CheckPlan(IReadOnlyList<PlannedMigration> steps, ICollection<ValidationProblem> problems)
    {
    }

    /// <summary>
    /// Creates the history table when missing, or upgrades golang-migrate's table in place (recording every given
    /// migration up to its version as applied, with its checksum, and keeping its dirty flag), then reads the history.
    /// Requires the lock.
    /// </summary>
    /// <param name="migrations">The source's migrations, used only to adopt a golang-migrate table.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The history, in <see cref="HistoryFormat.MigrationKit"/>.</returns>
    Task<MigrationHistory> PrepareHistoryAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one planned script and records it: up inserts the history row, down deletes it. A transactional script and
    /// its record commit together, starting from the session MigrationKit set up whatever ran before; a script outside a
    /// transaction is bracketed by the dirty flag. A version found already recorded (another runner applied it) is never
    /// run nor marked dirty: that is an error saying so. Requires the lock.
    /// </summary>
    /// <param name="planned">The migration, the direction and the script.</param>
    /// <param name="cancellationToken">Cancels the script; an open transaction is rolled back.</param>
    /// <returns>How long the script took.</returns>
    /// <exception cref="MigrationFailedException">A statement failed.</exception>
    Task<TimeSpan> ApplyAsync(PlannedMigration planned, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the schema is at a version, running nothing: deletes the rows above it, clears every dirty flag, and
    /// records each of <paramref name="recorded"/> that has no row as forced. Requires the lock.
    /// </summary>
    /// <param name="version">The version the schema is at, or <see langword="null"/> for none (every row is deleted).</param>
    /// <param name="recorded">The source's migrations up to <paramref name="version"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the history is updated.</returns>
    Task ForceAsync(long? version, IReadOnlyList<Migration> recorded, CancellationToken cancellationToken = default);

    /// <summary>Records migrations as applied without running them, as a baseline. Requires the lock.</summary>
    /// <param name="migrations">The migrations to record.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when they are recorded.</returns>
    Task BaselineAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default);

    /// <summary>Re-records the checksum of each given migration's up script on its history row. Requires the lock.</summary>
    /// <param name="migrations">The migrations whose checksum to record.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the checksums are recorded.</returns>
    Task RepairAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops every object of the history table's schema (tables, views, materialised views, sequences, functions,
    /// procedures, types, domains, the history table) and keeps the schema and its grants. Requires the lock.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is empty.</returns>
    Task DropAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets the server's version, when the store has a server; lint's rules follow it. The default is none.</summary>
    Version? ServerVersion => null;

    /// <summary>
    /// Reads the estimated size of tables, for lint findings. A table that does not exist is left out. The default knows
    /// of none.
    /// </summary>
    /// <param name="tables">Table names, quoted and schema-qualified where a schema is known (unqualified names follow the search path).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One entry per table found.</returns>
    Task<IReadOnlyList<TableStatistics>> ReadTableStatisticsAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TableStatistics>>([]);

    /// <summary>
    /// Names what a failed script outside a transaction may have left behind, such as an index left INVALID by a failed
    /// <c>CREATE INDEX CONCURRENTLY</c>, for the dirty message. The default finds nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Schema-qualified names.</returns>
    Task<IReadOnlyList<string>> ReadInvalidIndexesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
