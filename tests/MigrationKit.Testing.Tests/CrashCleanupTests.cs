using System.Diagnostics;
using System.Globalization;
using MigrationKit.Testing.Internal;

namespace MigrationKit.Testing.Tests;

/// <summary>A test process killed with SIGKILL leaves no server and no folder behind, thanks to the watchdog.</summary>
[TestFixture]
[NonParallelizable]
public sealed class CrashCleanupTests
{
    [Test]
    public async Task A_killed_test_process_leaves_no_running_postmaster_and_no_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("The watchdog is for Linux and macOS.");
        }

        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(typeof(Program).Assembly.Location);
        startInfo.ArgumentList.Add(Program.HoldLocalClusterMode);
        startInfo.Environment.Remove("MIGRATIONKIT_TEST_CONNECTION");
        using var child = Process.Start(startInfo)!;
        var errors = child.StandardError.ReadToEndAsync();

        using var readyTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = await child.StandardOutput.ReadLineAsync(readyTimeout.Token);
        ready.Should().NotBeNull($"the child should start a server; it wrote: {(child.HasExited ? await errors : "(still running)")}");
        var parts = ready!.Split(' ', 3);
        parts[0].Should().Be("READY");
        var postmaster = int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture);
        var folder = Path.GetDirectoryName(parts[2])!;
        ProcessLiveness.IsRunning(postmaster).Should().BeTrue();
        Directory.Exists(folder).Should().BeTrue();

        child.Kill(); // SIGKILL: no dispose, no finalizers
        await child.WaitForExitAsync();

        var cleaned = await TestSupport.PollUntilAsync(
            () => !ProcessLiveness.IsRunning(postmaster) && !Directory.Exists(folder), TimeSpan.FromSeconds(30));
        cleaned.Should().BeTrue($"the watchdog should stop postmaster {postmaster} and delete {folder}");
    }

    [Test]
    public async Task A_killed_test_process_leaves_no_running_pgbouncer_and_no_folder()
    {
        if (await PgBouncer.WhyUnavailableAsync() is { } whyNot)
        {
            Assert.Ignore(whyNot);
        }

        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(typeof(Program).Assembly.Location);
        startInfo.ArgumentList.Add(Program.HoldPgBouncerMode);
        startInfo.Environment.Remove("MIGRATIONKIT_TEST_CONNECTION");
        using var child = Process.Start(startInfo)!;
        var errors = child.StandardError.ReadToEndAsync();

        using var readyTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = await child.StandardOutput.ReadLineAsync(readyTimeout.Token);
        ready.Should().NotBeNull($"the child should start PgBouncer; it wrote: {(child.HasExited ? await errors : "(still running)")}");
        var parts = ready!.Split(' ', 3);
        parts[0].Should().Be("READY");
        var pgbouncer = int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture);
        var folder = parts[2];
        ProcessLiveness.IsRunning(pgbouncer).Should().BeTrue();
        File.Exists(Path.Combine(folder, PgBouncer.PidFileName)).Should().BeTrue();

        child.Kill(); // SIGKILL: no dispose, no finalizers
        await child.WaitForExitAsync();

        var cleaned = await TestSupport.PollUntilAsync(
            () => !ProcessLiveness.IsRunning(pgbouncer) && !Directory.Exists(folder), TimeSpan.FromSeconds(30));
        cleaned.Should().BeTrue($"the watchdog should kill PgBouncer {pgbouncer} and delete {folder}");
    }
}
