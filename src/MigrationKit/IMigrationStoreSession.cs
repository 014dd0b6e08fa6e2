namespace MigrationKit;

/// <summary>
/// One run's connection to the store. Methods that change the history are called only while the lock is held.
/// </summary>
public interface IMigrationStoreSession : IAsyncDisposable
{
    /// <summary>Gets the quoted name of the history table, for messages (for example <c>"public"."schema_migrations"</c>).</summary>
    string HistoryTable { get; }

    /// <summary>
    /// Reads the history, ordered by version, without taking the lock. Returns <see langword="null"/> when the
    /// history table does not exist yet or must first be upgraded (a table left by golang-migrate).
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history rows, or <see langword="null"/>.</returns>
    Task<IReadOnlyList<AppliedMigration>?> ReadHistoryAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the migration lock, waiting for another runner up to <see cref="MigrationOptions.LockTimeout"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the lock is held.</returns>
    /// <exception cref="MigrationLockTimeoutException">The lock was not granted in time.</exception>
    Task AcquireLockAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases the migration lock, if this session holds it.</summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when the lock is released.</returns>
    Task ReleaseLockAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the schema and the history table when missing, or upgrades a golang-migrate table in place
    /// (recording the given migrations up to its version as applied), then reads the history. Requires the lock.
    /// </summary>
    /// <param name="migrations">The source's migrations, used only to adopt a golang-migrate table.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The history rows, ordered by version.</returns>
    Task<IReadOnlyList<AppliedMigration>> PrepareHistoryAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one migration's script in a direction and records it: up inserts the history row, down deletes it.
    /// A transactional script and its record commit together; a script that runs outside a transaction is
    /// bracketed by the dirty flag. Requires the lock.
    /// </summary>
    /// <param name="migration">The migration.</param>
    /// <param name="direction">Which script runs.</param>
    /// <param name="cancellationToken">Cancels the script; an open transaction is rolled back.</param>
    /// <returns>How long the script took.</returns>
    /// <exception cref="MigrationFailedException">A statement failed.</exception>
    Task<TimeSpan> ApplyAsync(Migration migration, MigrationDirection direction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the schema is at <paramref name="version"/>: deletes the rows above it, clears every dirty flag,
    /// and records <paramref name="migration"/> when it has no row. Runs no script. Requires the lock.
    /// </summary>
    /// <param name="version">The version the schema is at; 0 means none.</param>
    /// <param name="migration">The migration at <paramref name="version"/>, or <see langword="null"/> for 0.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the history is updated.</returns>
    Task ForceAsync(long version, Migration? migration, CancellationToken cancellationToken = default);

    /// <summary>Records migrations as applied without running them. Requires the lock.</summary>
    /// <param name="migrations">The migrations to record.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when they are recorded.</returns>
    Task BaselineAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops every object of the history table's schema (tables, views, materialised views, sequences, functions,
    /// procedures, types, domains, the history table) and keeps the schema and its grants. Requires the lock.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is empty.</returns>
    Task DropAsync(CancellationToken cancellationToken = default);
}
