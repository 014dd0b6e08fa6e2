using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MigrationKit.Testing.Internal;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>Private clusters started from the local PostgreSQL binaries.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LocalClusterTests
{
    [Test]
    public async Task Without_a_connection_string_a_private_cluster_is_started_as_a_non_root_user_on_loopback_with_fsync_off()
    {
        using var logs = new RecordingLoggerFactory();
        await using var server = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions(logs));

        server.Kind.Should().Be(PostgresServerKind.LocalCluster);
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT inet_server_addr()::text, current_setting('listen_addresses'), current_setting('unix_socket_directories'),
                   current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes'),
                   current_setting('max_connections'), current_setting('data_directory'), current_user, current_database(),
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), current_setting('server_version_num')::int
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetString(0).Should().Be("127.0.0.1/32");
        reader.GetString(1).Should().Be("127.0.0.1");
        reader.GetString(2).Should().BeEmpty("the server listens on TCP only");
        reader.GetString(3).Should().Be("off");
        reader.GetString(4).Should().Be("off");
        reader.GetString(5).Should().Be("off");
        reader.GetString(6).Should().Be("300");
        var dataDirectory = reader.GetString(7);
        reader.GetString(8).Should().Be("postgres");
        reader.GetString(9).Should().Be("postgres");
        reader.GetBoolean(10).Should().BeTrue("the connection string is for a superuser");
        var versionNumber = reader.GetInt32(11);

        server.ServerVersion.Should().Be(new Version(versionNumber / 10000, versionNumber % 10000));
        new NpgsqlConnectionStringBuilder(server.ConnectionString).Host.Should().Be("127.0.0.1");
        dataDirectory.Should().StartWith(ClusterRoot.Get());
        if (OperatingSystem.IsLinux())
        {
            TestSupport.UserIdOf(TestSupport.PostmasterPid(dataDirectory)).Should().NotBe(0, "PostgreSQL refuses to run as root");
        }

        logs.Messages(LogLevel.Information).Should().Contain(m => m.StartsWith("Using the LocalCluster PostgreSQL server", StringComparison.Ordinal));
        logs.Messages(LogLevel.Information).Should().Contain(m => m.StartsWith("Not using the External PostgreSQL server", StringComparison.Ordinal));
    }

    [Test]
    public async Task Dispose_stops_the_postmaster_and_deletes_the_cluster_folder()
    {
        var server = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions());
        var dataDirectory = await TestSupport.ScalarAsync<string>(server.ConnectionString, "SELECT current_setting('data_directory')");
        var postmaster = TestSupport.PostmasterPid(dataDirectory);
        var folder = Path.GetDirectoryName(dataDirectory)!;
        ProcessLiveness.IsRunning(postmaster).Should().BeTrue();
        TestSupport.ServersUnderClusterRoot().Should().Contain(c => c.Contains(dataDirectory, StringComparison.Ordinal));

        await server.DisposeAsync();

        ProcessLiveness.IsRunning(postmaster).Should().BeFalse();
        TestSupport.ServersUnderClusterRoot().Should().NotContain(c => c.Contains(dataDirectory, StringComparison.Ordinal));
        Directory.Exists(folder).Should().BeFalse();
        await server.DisposeAsync(); // a second dispose does nothing
    }

    [Test]
    public async Task Servers_started_at_the_same_time_are_independent()
    {
        var starts = Enumerable.Range(0, 3).Select(_ => PostgresServer.StartAsync(TestSupport.LocalClusterOptions())).ToArray();
        var servers = await Task.WhenAll(starts);
        try
        {
            servers.Select(s => s.Kind).Should().AllBeEquivalentTo(PostgresServerKind.LocalCluster);
            servers.Select(s => new NpgsqlConnectionStringBuilder(s.ConnectionString).Port).Should().OnlyHaveUniqueItems();
            var directories = new List<string>();
            foreach (var server in servers)
            {
                directories.Add(await TestSupport.ScalarAsync<string>(server.ConnectionString, "SELECT current_setting('data_directory')"));
            }

            directories.Should().OnlyHaveUniqueItems();
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_cluster_made_by_initdb_without_the_template_works_too()
    {
        var options = TestSupport.LocalClusterOptions();
        options.UseClusterTemplate = false;
        await using var server = await PostgresServer.StartAsync(options);

        (await TestSupport.ScalarAsync<int>(server.ConnectionString, "SELECT 1")).Should().Be(1);
    }

    [Test]
    public async Task When_the_picked_port_is_taken_another_port_is_tried()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var takenPort = ((IPEndPoint)occupier.LocalEndpoint).Port;
        var picks = 0;
        using var logs = new RecordingLoggerFactory();
        var options = TestSupport.LocalClusterOptions(logs);
        options.PortPicker = () => Interlocked.Increment(ref picks) == 1 ? takenPort : LocalCluster.PickFreePort();

        await using var server = await PostgresServer.StartAsync(options);

        foreach (var entry in logs.Entries)
        {
            TestContext.Out.WriteLine(entry.Message);
        }

        picks.Should().Be(2);
        logs.Entries.Should().Contain(e => e.EventId.Id == 6004 && e.Message.Contains($"Port {takenPort} ", StringComparison.Ordinal));
        new NpgsqlConnectionStringBuilder(server.ConnectionString).Port.Should().NotBe(takenPort);
        (await TestSupport.ScalarAsync<int>(server.ConnectionString, "SELECT 1")).Should().Be(1);
    }

    [Test]
    public async Task A_server_that_fails_to_start_is_reported_with_the_tail_of_its_log()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("The fake server binary is a shell script for Linux.");
            return; // never reached (Assert.Ignore throws); tells the platform analyzer (CA1416) the rest is Linux-only
        }

        var real = (await PostgresBinaries.LocateAsync(null)).Binaries!;
        var fakeBin = Directory.CreateTempSubdirectory("mk-fake-bin-").FullName;
        try
        {
            File.SetUnixFileMode(fakeBin, (UnixFileMode)0b111_101_101);
            File.CreateSymbolicLink(Path.Combine(fakeBin, "initdb"), real.InitDb);
            File.CreateSymbolicLink(Path.Combine(fakeBin, "pg_ctl"), real.PgCtl);
            var fakePostgres = Path.Combine(fakeBin, "postgres");
            await File.WriteAllTextAsync(
                fakePostgres,
                $"#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then exec '{real.Postgres}' --version; fi\n"
                + "echo 'FATAL:  simulated start failure for the test' >&2\nexit 1\n");
            File.SetUnixFileMode(fakePostgres, (UnixFileMode)0b111_101_101);
            var options = TestSupport.LocalClusterOptions();
            options.BinDirectory = fakeBin;
            await using (await PostgresServer.StartAsync(TestSupport.LocalClusterOptions()))
            {
                // Makes sure the template of the real binaries exists: the fake binaries must share it.
            }

            var before = TestSupport.ClusterFolders();
            var templatesBefore = Directory.GetDirectories(ClusterRoot.Get(), "template-*");

            var start = () => PostgresServer.StartAsync(options);

            var failure = await start.Should().ThrowAsync<InvalidOperationException>();
            failure.Which.Message.Should().Contain("LocalCluster: starting it failed")
                .And.Contain("simulated start failure for the test")
                .And.Contain("Last lines of the server log");
            TestSupport.ClusterFolders().Should().BeEquivalentTo(before, "a failed start leaves no folder behind");
            Directory.GetDirectories(ClusterRoot.Get(), "template-*").Should().BeEquivalentTo(
                templatesBefore, "templates are keyed by the real initdb, which the fake folder links to");
        }
        finally
        {
            Directory.Delete(fakeBin, recursive: true);
        }
    }

    [Test]
    public async Task Stale_clusters_of_dead_processes_are_stopped_and_removed_when_a_server_starts()
    {
        var deadPid = DeadProcessId();
        var binaries = (await PostgresBinaries.LocateAsync(null)).Binaries!;
        var user = (await ServerUser.GetAsync()).User!;
        var settings = new LocalClusterSettings(TimeSpan.FromSeconds(60), true, LocalCluster.PickFreePort, deadPid, StartWatchdog: false);
        var orphan = await LocalCluster.StartAsync(binaries, user, settings, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var orphanPostmaster = TestSupport.PostmasterPid(orphan.DataDirectory);
        var emptyOrphan = Path.Combine(ClusterRoot.Get(), ClusterOwnerFile.NewFolderName(deadPid));
        Directory.CreateDirectory(emptyOrphan);
        using var logs = new RecordingLoggerFactory();

        await using (await PostgresServer.StartAsync(TestSupport.LocalClusterOptions(logs)))
        {
            Directory.Exists(orphan.Folder).Should().BeFalse();
            Directory.Exists(emptyOrphan).Should().BeFalse();
            ProcessLiveness.IsRunning(orphanPostmaster).Should().BeFalse();
            logs.Entries.Should().Contain(e => e.EventId.Id == 6005 && e.Message.Contains(orphan.Folder, StringComparison.Ordinal));
        }

        await orphan.StopAsync(); // releases the process handle; the folder is gone already
    }

    [Test]
    public async Task Clusters_are_copied_from_a_cached_template()
    {
        await using (await PostgresServer.StartAsync(TestSupport.LocalClusterOptions()))
        {
            // Makes sure the template exists.
        }

        using var logs = new RecordingLoggerFactory();
        var stopwatch = Stopwatch.StartNew();
        var server = await PostgresServer.StartAsync(TestSupport.LocalClusterOptions(logs));
        var started = stopwatch.Elapsed;
        await server.DisposeAsync();
        TestContext.Out.WriteLine($"start {started.TotalMilliseconds:0} ms, start and stop {stopwatch.Elapsed.TotalMilliseconds:0} ms");

        Directory.GetDirectories(ClusterRoot.Get(), "template-*").Should().NotBeEmpty();
        logs.Entries.Should().Contain(e => e.EventId.Id == 6002 && e.Message.Contains("copied from the template", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_cancelled_start_leaves_no_server_and_no_folder_behind()
    {
        var before = TestSupport.ClusterFolders();
        var serversBefore = TestSupport.ServersUnderClusterRoot();
        using var cancellation = new CancellationTokenSource();
        var options = TestSupport.LocalClusterOptions();
        options.PortPicker = () =>
        {
            // Cancels once the data folder exists and the server is about to start.
            cancellation.Cancel();
            return LocalCluster.PickFreePort();
        };

        var start = () => PostgresServer.StartAsync(options, cancellation.Token);

        await start.Should().ThrowAsync<OperationCanceledException>();
        TestSupport.ClusterFolders().Should().BeEquivalentTo(before);
        TestSupport.ServersUnderClusterRoot().Should().BeEquivalentTo(serversBefore);
    }

    [Test]
    public async Task Templates_unused_for_a_week_are_pruned()
    {
        var binaries = (await PostgresBinaries.LocateAsync(null)).Binaries!;
        var user = (await ServerUser.GetAsync()).User!;
        var root = ClusterRoot.Get();
        var old = Directory.CreateDirectory(Path.Combine(root, $"template-0.0-{ClusterRoot.RandomHex(8)}")).FullName;
        var recent = Directory.CreateDirectory(Path.Combine(root, $"template-0.0-{ClusterRoot.RandomHex(8)}")).FullName;
        try
        {
            Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-8));

            ClusterJanitor.CleanTemplates(root, binaries, user, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

            Directory.Exists(old).Should().BeFalse();
            Directory.Exists(recent).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(recent);
        }
    }

    /// <summary>Returns the id of a process that has just exited.</summary>
    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
