using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MigrationKit.Testing.Internal;

namespace MigrationKit.Testing.Tests;

/// <summary>Finding a Docker engine quickly, without Testcontainers.</summary>
[TestFixture]
public sealed class DockerProbeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);

    [Test]
    public async Task A_missing_socket_is_rejected_without_connecting()
    {
        var endpoint = "unix:///nonexistent/migrationkit/docker.sock";

        var result = await DockerProbe.ProbeAsync([endpoint], Timeout);

        result.IsAvailable.Should().BeFalse();
        result.Description.Should().Contain(endpoint).And.Contain("no socket there");
    }

    [Test]
    public async Task A_socket_nobody_listens_on_is_rejected()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mk-probe-{Guid.NewGuid():N}.sock");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(path)); // leaves the socket file, with no listener
        }

        try
        {
            var result = await DockerProbe.ProbeAsync(["unix://" + path], Timeout);

            result.IsAvailable.Should().BeFalse();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task A_closed_tcp_port_is_rejected()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await DockerProbe.ProbeAsync([$"tcp://127.0.0.1:{port}"], Timeout);

        result.IsAvailable.Should().BeFalse();
    }

    [Test]
    public async Task An_endpoint_that_accepts_but_never_answers_is_given_up_on_after_the_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // the kernel accepts connections; nobody ever answers
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var stopwatch = Stopwatch.StartNew();

        var result = await DockerProbe.ProbeAsync([$"tcp://127.0.0.1:{port}"], Timeout);

        result.IsAvailable.Should().BeFalse();
        result.Description.Should().Contain("no answer within 500 ms");
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a generous bound: the probe gives up after 500 ms");
    }

    [Test]
    public async Task An_endpoint_that_answers_the_ping_is_a_docker_engine()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var fakeEngine = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[1024];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"u8.ToArray());
            return request.ToString();
        });

        var result = await DockerProbe.ProbeAsync([$"tcp://127.0.0.1:{port}"], TimeSpan.FromSeconds(5));

        result.IsAvailable.Should().BeTrue();
        result.Endpoint.Should().Be($"tcp://127.0.0.1:{port}");
        (await fakeEngine).Should().StartWith("GET /_ping HTTP/1.1\r\n");
    }

    [Test]
    public async Task Probing_the_default_endpoints_of_this_machine_takes_well_under_a_second_when_there_is_no_engine()
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await DockerProbe.ProbeAsync();
        var elapsed = stopwatch.Elapsed;
        TestContext.Out.WriteLine($"{elapsed.TotalMilliseconds:0.0} ms: {result.Description}");

        if (result.IsAvailable)
        {
            Assert.Ignore("A Docker engine answers on this machine.");
        }

        result.Description.Should().StartWith("no Docker engine answered");
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is null)
        {
            result.Description.Should().Contain("unix:///var/run/docker.sock");
        }
    }
}
