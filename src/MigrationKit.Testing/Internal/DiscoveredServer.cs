using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// A server <see cref="ServerDiscovery"/> found or started: where it comes from, the superuser connection string to
/// its <c>postgres</c> database, its version, and what was started for it (stopped with the <see cref="PostgresServer"/>).
/// </summary>
internal sealed record DiscoveredServer(
    PostgresServerKind Kind, string ConnectionString, Version ServerVersion, ILogger Logger, LocalCluster? Cluster, IAsyncDisposable? Container);
