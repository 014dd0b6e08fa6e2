using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests;

/// <summary>
/// The native binary (<c>eng/publish-native.sh</c>, named by <c>MIGRATIONKIT_CLI_NATIVE</c>) as golang-migrate's users
/// install theirs: one file copied alone into an empty folder, run with an environment stripped of DOTNET_ROOT, of
/// every other DOTNET_ variable and of any SDK on PATH, and, where the test may make a mount namespace (root, unshare),
/// with the .NET installation of this machine hidden under an empty folder.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class NativeBinaryTests
{
    [Test]
    public async Task The_native_binary_runs_up_and_status_with_no_DOTNET_ROOT_no_SDK_on_PATH_and_no_dotnet_installation()
    {
        string binary = CliTarget.NativeBinary ?? RequireNativeOrIgnore();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("The native binary is published for linux-x64 here.");
            return; // never reached (Assert.Ignore throws); tells the platform analyzer (CA1416) the rest is Linux-only
        }

        await using TestDatabase db = await TestDatabase.CreateAsync();
        string folder = Path.Combine(Path.GetTempPath(), "mk-native-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            string alone = Path.Combine(folder, "migrationkit");
            File.Copy(binary, alone);
            File.SetUnixFileMode(alone, File.GetUnixFileMode(binary));
            string dotnetRoot = DotnetRoot();
            bool hidden = await CanHideAsync(dotnetRoot);

            ChildResult up = await RunStrippedAsync(alone, folder, db.Url, dotnetRoot, hidden, "up", "--source", MigrationFolder.PlannerMigrations);
            ChildResult status = await RunStrippedAsync(alone, folder, db.Url, dotnetRoot, hidden, "status", "--source", MigrationFolder.PlannerMigrations);
            ChildResult dotnet = await RunStrippedAsync("/bin/sh", folder, db.Url, dotnetRoot, hidden, "-c", "command -v dotnet || echo none; printenv | grep -c ^DOTNET_ || true");

            up.ExitCode.Should().Be(0, up.ToString());
            up.Out.Should().Contain("Now at version 10 (was none): 10 migrations applied");
            status.ExitCode.Should().Be(0, status.ToString());
            status.Out.Should().Contain("Version 10: 10 applied, 0 pending.");
            dotnet.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(["none", "0"], "the environment has no dotnet on PATH and no DOTNET_ variable");
            (await db.VersionsAsync()).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            TestContext.Out.WriteLine(hidden
                ? $"Ran with {dotnetRoot} hidden under an empty tmpfs (unshare -m)."
                : $"Could not hide {dotnetRoot} (no unshare, or not root): ran with a stripped environment only.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void The_native_binary_is_one_self_contained_executable_under_25_MB()
    {
        string binary = CliTarget.NativeBinary ?? RequireNativeOrIgnore();

        var size = new FileInfo(binary).Length;
        byte[] head = new byte[4];
        using (FileStream stream = File.OpenRead(binary))
        {
            stream.ReadExactly(head);
        }

        head.Should().Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], "a native executable, not a managed assembly or a script");
        size.Should().BeLessThan(25L * 1024 * 1024, "the goal for the binary's size");
        Directory.GetFiles(Path.GetDirectoryName(binary)!).Select(Path.GetFileName).Should().Equal(["migrationkit"], "the publish folder holds the one file");
        TestContext.Out.WriteLine($"{binary}: {size / 1024.0 / 1024.0:0.0} MB");
    }

    private static string RequireNativeOrIgnore()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"CI runs these tests on the native binary: {CliTarget.NativeVariable} must name it (.ci/run publishes it first).");
        }

        Assert.Ignore($"No native binary: run eng/publish-native.sh and set {CliTarget.NativeVariable}=artifacts/native/linux-x64/migrationkit.");
        return null!;
    }

    /// <summary>The .NET installation this test process runs on (…/dotnet for …/dotnet/shared/Microsoft.NETCore.App/10.0.x/).</summary>
    private static string DotnetRoot() =>
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>Whether a mount namespace can hide a folder here: it needs root and util-linux's unshare.</summary>
    private static async Task<bool> CanHideAsync(string dotnetRoot)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/unshare"))
        {
            return false;
        }

        ChildResult probe = await RunAsync(new ProcessStartInfo("/usr/bin/unshare", ["-m", "/bin/sh", "-c", $"mount -t tmpfs none '{dotnetRoot}' && test -z \"$(ls -A '{dotnetRoot}')\""]));
        return probe.ExitCode == 0;
    }

    private static Task<ChildResult> RunStrippedAsync(string program, string folder, string databaseUrl, string dotnetRoot, bool hide, params string[] args)
    {
        ProcessStartInfo info;
        if (hide)
        {
            // exec "$0" "$@" after mounting an empty tmpfs over the .NET installation, in a mount namespace of its own.
            info = new ProcessStartInfo("/usr/bin/unshare", ["-m", "/bin/sh", "-c", $"mount -t tmpfs none '{dotnetRoot}' && exec \"$0\" \"$@\"", program, .. args]);
        }
        else
        {
            info = new ProcessStartInfo(program, args);
        }

        info.Environment.Clear();
        info.Environment["PATH"] = folder + ":/usr/sbin:/usr/bin:/sbin:/bin";
        info.Environment["HOME"] = folder;
        info.Environment["DATABASE_URL"] = databaseUrl;
        info.WorkingDirectory = folder;
        return RunAsync(info);
    }

    private static Task<ChildResult> RunAsync(ProcessStartInfo info) => ChildProcess.RunAsync(info, TimeSpan.FromMinutes(1));
}
