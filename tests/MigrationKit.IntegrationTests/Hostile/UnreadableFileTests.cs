using MigrationKit.IntegrationTests.Faults;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hostile;

/// <summary>
/// A script the runner may not read (mode 000). The tests run as root here and in CI, and root reads a mode-000 file
/// anyway, so the runner runs in a child process as <c>nobody</c> (through <c>setpriv</c>), to whom the file is closed
/// while the rest of the folder and the runner's own files stay readable. Other unreadable entries (a FIFO, a directory,
/// a link loop) are cases of <see cref="HostileInputTests"/>, in process.
/// </summary>
[TestFixture]
[Category("Faults")]
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
        if (Environment.UserName == "root")
        {
            if (!File.Exists("/usr/bin/setpriv") && !File.Exists("/bin/setpriv"))
            {
                Assert.Ignore("Running as root, which reads a mode-000 file anyway, and setpriv (util-linux) is not installed to run the runner as nobody.");
            }

            asNobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"];
        }

        using RunnerProcess runner = RunnerProcess.StartWithPrefix(asNobody, db.ConnectionString, folder.Path, "up");
        int exitCode = await runner.WaitForExitAsync(TimeSpan.FromSeconds(60));

        TestContext.Out.WriteLine(runner.Output);
        exitCode.Should().Be(1, "the run is refused: " + runner.Output);
        runner.Output.Should().Contain("MigrationValidationException").And.Contain("2_secret.up.sql").And.Contain("cannot be read").And.Contain("permission denied");
        (await Db.TablesAsync(db.ConnectionString)).Where(t => t != "schema_migrations").Should().BeEmpty("nothing runs while a script cannot be read");
    }
}
