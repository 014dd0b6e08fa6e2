using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Text;

namespace MigrationKit.Testing.Internal;

/// <summary>The outcome of looking for a Docker engine.</summary>
/// <param name="Endpoint">The endpoint that answered (e.g. <c>unix:///var/run/docker.sock</c>), or <see langword="null"/>.</param>
/// <param name="Description">What was tried and what happened, for logs and error messages.</param>
internal sealed record DockerProbeResult(string? Endpoint, string Description)
{
    /// <summary>Gets a value indicating whether a Docker engine answered.</summary>
    public bool IsAvailable => Endpoint is not null;
}

/// <summary>
/// Looks for a Docker engine quickly and without Testcontainers (whose own detection can wait a long time): the
/// endpoint in <c>DOCKER_HOST</c> when set, else the usual sockets. An endpoint counts when it answers an HTTP
/// <c>GET /_ping</c> within a short time; a missing socket file is rejected without any connection attempt.
/// </summary>
internal static class DockerProbe
{
    /// <summary>The default time allowed for one endpoint to connect and answer.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>Probes the endpoint in <c>DOCKER_HOST</c>, or else the usual local sockets, in order.</summary>
    public static Task<DockerProbeResult> ProbeAsync(CancellationToken cancellationToken = default) =>
        ProbeAsync(DefaultEndpoints(), DefaultTimeout, cancellationToken);

    /// <summary>Probes <paramref name="endpoints"/> in order, allowing <paramref name="timeout"/> for each; the first that answers wins.</summary>
    public static async Task<DockerProbeResult> ProbeAsync(
        IReadOnlyList<string> endpoints, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var findings = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var stopwatch = Stopwatch.StartNew();
            var problem = await ProbeEndpointAsync(endpoint, timeout, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                return new DockerProbeResult(endpoint, $"a Docker engine answers at {endpoint}");
            }

            findings.Add(string.Create(CultureInfo.InvariantCulture, $"{endpoint}: {problem} ({stopwatch.ElapsedMilliseconds} ms)"));
        }

        var tried = findings.Count == 0 ? "no endpoint to try" : string.Join("; ", findings);
        var hint = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } ? "DOCKER_HOST is set" : "DOCKER_HOST is not set";
        return new DockerProbeResult(null, $"no Docker engine answered ({hint}; {tried})");
    }

    /// <summary>Lists the endpoints to try: <c>DOCKER_HOST</c> alone when set, else the usual sockets.</summary>
    public static IReadOnlyList<string> DefaultEndpoints()
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrWhiteSpace(dockerHost))
        {
            return [dockerHost.Trim()];
        }

        if (OperatingSystem.IsWindows())
        {
            return ["npipe://./pipe/docker_engine"];
        }

        var endpoints = new List<string> { "unix:///var/run/docker.sock" };
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtime))
        {
            endpoints.Add("unix://" + Path.Combine(runtime, "docker.sock"));
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            endpoints.Add("unix://" + Path.Combine(home, ".docker", "run", "docker.sock"));
            endpoints.Add("unix://" + Path.Combine(home, ".docker", "desktop", "docker.sock"));
        }

        return endpoints;
    }

    /// <summary>Returns <see langword="null"/> when <paramref name="endpoint"/> answers a ping, else why not.</summary>
    private static async Task<string?> ProbeEndpointAsync(string endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            if (endpoint.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
            {
                var path = endpoint["unix://".Length..];
                if (!File.Exists(path))
                {
                    return "no socket there";
                }

                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeoutSource.Token).ConfigureAwait(false);
                using var stream = new NetworkStream(socket, ownsSocket: false);
                return await PingAsync(stream, timeoutSource.Token).ConfigureAwait(false);
            }

            if (endpoint.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Port <= 0)
                {
                    return "not a tcp://host:port address";
                }

                using var client = new TcpClient();
                await client.ConnectAsync(uri.Host, uri.Port, timeoutSource.Token).ConfigureAwait(false);
                return await PingAsync(client.GetStream(), timeoutSource.Token).ConfigureAwait(false);
            }

            if (endpoint.StartsWith("npipe://", StringComparison.OrdinalIgnoreCase))
            {
                var pipe = endpoint["npipe://".Length..].TrimStart('/');
                var parts = pipe.Split('/', 3);
                if (parts.Length != 3 || !string.Equals(parts[1], "pipe", StringComparison.OrdinalIgnoreCase))
                {
                    return "not an npipe://./pipe/name address";
                }

                using var client = new NamedPipeClientStream(parts[0], parts[2], PipeDirection.InOut, PipeOptions.Asynchronous);
                await client.ConnectAsync(timeoutSource.Token).ConfigureAwait(false);
                return await PingAsync(client, timeoutSource.Token).ConfigureAwait(false);
            }

            return "unsupported address scheme (expected unix://, tcp:// or npipe://)";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception exception) when (exception is SocketException or IOException or UnauthorizedAccessException)
        {
            return exception.Message;
        }
    }

    private static async Task<string?> PingAsync(Stream stream, CancellationToken cancellationToken)
    {
        var request = "GET /_ping HTTP/1.1\r\nHost: docker\r\nUser-Agent: MigrationKit.Testing\r\nConnection: close\r\n\r\n"u8.ToArray();
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[256];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (Array.IndexOf(buffer, (byte)'\n', 0, length) >= 0)
            {
                break;
            }
        }

        var response = Encoding.ASCII.GetString(buffer, 0, length);
        var statusLine = response.Split('\n', 2)[0].Trim();
        if (statusLine.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            var status = statusLine.Split(' ', 3);
            if (status.Length >= 2 && status[1] == "200")
            {
                return null;
            }

            // A TLS-protected engine (DOCKER_TLS_VERIFY) answers a plain request with 400; it is there all the same.
            return status.Length >= 2 && status[1] == "400" && Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") is { Length: > 0 }
                ? null
                : $"answered '{statusLine}' instead of 200 OK";
        }

        return length == 0 ? "closed the connection without answering" : "answered something that is not HTTP";
    }
}
