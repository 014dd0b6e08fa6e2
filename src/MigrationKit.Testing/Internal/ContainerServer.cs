using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Testcontainers.PostgreSql;

namespace MigrationKit.Testing.Internal;

/// <summary>Starts a PostgreSQL container through Testcontainers, tuned for tests like a local cluster.</summary>
internal static class ContainerServer
{
    /// <summary>Why the container path is not trim-safe; a trimmed app turns it off (see <see cref="ContainerSupport"/>).</summary>
    public const string TrimWarning = "Testcontainers serialises with System.Text.Json reflection (ResourceConfiguration.GetReuseHash, JsonOrderedKeysConverter, TraceProgress), which trimming and Native AOT break. Guard the call with ContainerSupport.IsSupported.";

    /// <summary>
    /// Starts a container from <paramref name="image"/>. When <paramref name="dockerEndpoint"/> is given it is used;
    /// otherwise Testcontainers reads its own configuration (<c>DOCKER_HOST</c>, TLS settings).
    /// </summary>
    [RequiresDynamicCode(TrimWarning)]
    public static async Task<PostgreSqlContainer> StartAsync(
        string image, string? dockerEndpoint, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken = default)
    {
        var builder = new PostgreSqlBuilder(image)
            .WithDatabase("postgres")
            .WithUsername("postgres")
            .WithPassword("postgres")
            .WithCommand(
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=300",
                "-c", "shared_buffers=128MB",
                "-c", "log_min_messages=warning")
            .WithLogger(logger);
        if (dockerEndpoint is not null)
        {
            builder = builder.WithDockerEndpoint(dockerEndpoint);
        }

        var container = builder.Build();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await container.StartAsync(timeoutSource.Token).ConfigureAwait(false);
            return container;
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
