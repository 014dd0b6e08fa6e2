using System.Text.Json;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Sources;

/// <summary>
/// A script the runner may not read (mode 000). The tests run as root here and in CI, and root reads a mode-000 file
/// anyway, so the runner runs in a child process as <c>nobody</c> (through <c>setpriv</c>), to whom the file is closed
/// while the rest of the folder and the runner's own files stay readable. Other unreadable entries (a FIFO, a directory,
/// a link loop) are cases of <see cref="HostileInputTests"/>, in process.
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Hostile")]
[Parallelizable(ParallelScope.All)]
public sealed class UnreadableFileTests
{
    [Test]
    public async Task A_script_the_runner_may_not_read_is_refused_naming_it_and_nothing_runs()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("File modes are a Unix matter.");
        }

        using var folder = new HostileFolder();
        folder.Write("1_good.up.sql", "CREATE TABLE good (id int);").Write("2_secret.up.sql", "CREATE TABLE secret (id int);");
        string secret = Path.Combine(folder.Path, "2_secret.up.sql");
#pragma warning disable CA1416 // Not Windows: checked above.
        File.SetUnixFileMode(secret, UnixFileMode.None);
#pragma warning restore CA1416
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        IReadOnlyList<string>? asNobody = null;
        string? copy = null;
        if (Environment.UserName == "root")
        {
            if (!File.Exists("/usr/bin/setpriv") && !File.Exists("/bin/setpriv"))
            {
                Assert.Ignore("Running as root, which reads a mode-000 file anyway, and setpriv (util-linux) is not installed to run the runner as nobody.");
            }

            asNobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"];
            copy = CopyRunnerForAnyone();
        }

        try
        {
            using RunnerProcess runner = RunnerProcess.StartWithPrefix(asNobody, copy, db.ConnectionString, folder.Path, "up");
            int exitCode = await runner.WaitForExitAsync(TimeSpan.FromSeconds(60));
            TestContext.Out.WriteLine(runner.Output);
            if (asNobody is not null && !runner.Output.Contains("ready", StringComparison.Ordinal))
            {
                Assert.Ignore($"The runner could not start as nobody on this machine (is the .NET runtime readable by others?): {runner.Output}");
            }

            AssertRefused(exitCode, runner.Output);
        }
        finally
        {
            if (copy is not null)
            {
                Directory.Delete(copy, recursive: true);
            }
        }

        (await Db.TablesAsync(db.ConnectionString)).Where(t => t != "schema_migrations").Should().BeEmpty("nothing runs while a script cannot be read");
    }

    private static void AssertRefused(int exitCode, string output)
    {
        exitCode.Should().Be(1, "the run is refused: " + output);
        output.Should().Contain("MigrationValidationException").And.Contain("2_secret.up.sql").And.Contain("cannot be read").And.Contain("permission denied");
    }

    /// <summary>
    /// The runner and the assemblies its deps.json names, copied to a folder anyone may read: the test's own output
    /// folder may sit under a home directory closed to nobody.
    /// </summary>
    private static string CopyRunnerForAnyone()
    {
        string target = Path.Combine(Path.GetTempPath(), "mk-runner-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(target);
        string source = AppContext.BaseDirectory;
        var files = new List<string> { "MigrationKit.TestProcess.deps.json", "MigrationKit.TestProcess.runtimeconfig.json" };
        using (JsonDocument deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(source, "MigrationKit.TestProcess.deps.json"))))
        {
            foreach (JsonProperty framework in deps.RootElement.GetProperty("targets").EnumerateObject())
            {
                foreach (JsonProperty library in framework.Value.EnumerateObject())
                {
                    if (library.Value.TryGetProperty("runtime", out JsonElement runtime))
                    {
                        files.AddRange(runtime.EnumerateObject().Select(r => Path.GetFileName(r.Name)));
                    }
                }
            }
        }

        foreach (string file in files.Distinct(StringComparer.Ordinal))
        {
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        }

        return target;
    }
}
