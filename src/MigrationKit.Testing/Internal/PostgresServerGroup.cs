using System.Collections;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Several independent servers in one test process, started at once (e.g. the three "shards" of a fleet test): each a
/// private cluster with its own folder, port, postmaster, templates and pools. Unlike calling
/// <see cref="PostgresServer.StartAsync"/> several times, the group ignores <c>MIGRATIONKIT_TEST_CONNECTION</c>, which
/// would hand every call the same external server; a group is always separate servers.
/// </summary>
/// <example>
/// <code>
/// await using var shards = await PostgresServerGroup.StartAsync(3);
/// foreach (var shard in shards) { await using var db = await shard.CreateEmptyDatabaseAsync(); … }
/// </code>
/// </example>
internal sealed class PostgresServerGroup : IAsyncDisposable, IReadOnlyList<PostgresServer>
{
    private readonly PostgresServer[] servers;

    private PostgresServerGroup(PostgresServer[] servers) => this.servers = servers;

    /// <summary>Gets the number of servers.</summary>
    public int Count => servers.Length;

    /// <summary>Gets the server at <paramref name="index"/>.</summary>
    public PostgresServer this[int index] => servers[index];

    /// <summary>
    /// Starts <paramref name="count"/> servers at once with <paramref name="options"/> (its connection string and the
    /// environment variable ignored). When one fails to start, the others are disposed and the failure is thrown.
    /// </summary>
    /// <exception cref="InvalidOperationException">A server could not be started (the message says why).</exception>
    public static async Task<PostgresServerGroup> StartAsync(int count, PostgresServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var template = options ?? new PostgresServerOptions();
        var starts = Enumerable.Range(0, count)
            .Select(_ => PostgresServer.StartAsync(
                new PostgresServerOptions
                {
                    ConnectionString = null,
                    IgnoreEnvironmentVariable = true,
                    AllowLocalCluster = template.AllowLocalCluster,
                    AllowContainer = template.AllowContainer,
                    BinDirectory = template.BinDirectory,
                    ContainerImage = template.ContainerImage,
                    LoggerFactory = template.LoggerFactory,
                    SpareDatabases = template.SpareDatabases,
                    StartTimeout = template.StartTimeout,
                    UseClusterTemplate = template.UseClusterTemplate,
                    PortPicker = template.PortPicker,
                    DockerEndpoints = template.DockerEndpoints,
                    SynchronousCommit = template.SynchronousCommit,
                },
                cancellationToken))
            .ToArray();
        try
        {
            return new PostgresServerGroup(await Task.WhenAll(starts).ConfigureAwait(false));
        }
        catch
        {
            foreach (var start in starts)
            {
                if (start.IsCompletedSuccessfully)
                {
                    await start.Result.DisposeAsync().ConfigureAwait(false);
                }
            }

            throw;
        }
    }

    /// <summary>Stops every server at once.</summary>
    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(servers.Select(server => server.DisposeAsync().AsTask())).ConfigureAwait(false);

    /// <inheritdoc/>
    public IEnumerator<PostgresServer> GetEnumerator() => ((IEnumerable<PostgresServer>)servers).GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
