namespace MigrationKit.Hosting;

/// <summary>
/// Registered by <c>AddMigrations</c> while the store is the built-in PostgreSQL one, so that start-up validation asks
/// for a connection string or a data source only then: a store given with <c>UseStore</c> brings its own.
/// </summary>
internal sealed class DefaultStoreMarker;
