using System.Net;
using System.Net.Sockets;
using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests;

/// <summary>0 done, 1 failed, 2 usage error: checked on the process's real exit code.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class ExitCodeTests
{
    [Test]
    public async Task Help_exits_0()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "--help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().Contain("up <count>").And.Contain("--database <url>").And.Contain("DATABASE_URL");
    }

    [TestCase("bogus", "Unrecognized command or argument 'bogus'")]
    [TestCase("status --bogus", "Unrecognized command or argument '--bogus'")]
    [TestCase("up many", "The count must be a whole number of at least 1, not 'many'")]
    [TestCase("up 0", "The count must be a whole number of at least 1, not '0'")]
    [TestCase("goto", "Required argument missing for command: 'goto'")]
    [TestCase("baseline -1", "The version must be a whole number of at least 0, not '-1'")]
    [TestCase("up --lock-timeout soon", "'soon' is not a duration")]
    [TestCase("", "Required command was not provided")]
    public async Task A_command_line_that_does_not_parse_exits_2_with_the_reason_on_standard_error(string args, string reason)
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), args.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain(reason).And.Contain("--help' for usage");
        result.Out.Should().BeEmpty();
    }

    [Test]
    public async Task No_database_anywhere_exits_2()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "up");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("No database: pass --database").And.Contain("DATABASE_URL");
    }

    [Test]
    public async Task A_malformed_database_url_exits_2_and_repeats_the_url_with_its_password_masked()
    {
        CliResult result = await CliProcess.RunAsync(new CliStart(), "status", "--database", "postgres://planner:hunter2@db.internal:54x2/planner");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("The database URL postgres://planner:***@db.internal:54x2/planner is not valid: the port '54x2'");
        result.All.Should().NotContain("hunter2");
    }

    [Test]
    public async Task A_database_that_cannot_be_reached_exits_1()
    {
        int port = ClosedPort();

        CliResult result = await CliProcess.RunAsync(new CliStart { DatabaseUrl = $"postgres://planner:hunter2@127.0.0.1:{port}/planner" }, "status", "--source", MigrationFolder.PlannerMigrations);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain($"Could not connect to PostgreSQL at 127.0.0.1:{port}").And.Contain("connection refused");
        result.All.Should().NotContain("hunter2");
    }

    [Test]
    public async Task A_failed_migration_exits_1_and_a_successful_run_exits_0()
    {
        using var folder = new MigrationFolder().Up(1, "broken", "SELEC 1;\n");
        using var fixedFolder = new MigrationFolder().Up(1, "fixed", "SELECT 1;\n");
        await using var db = await TestDatabase.CreateAsync();

        CliResult failed = await db.RunProcessAsync("up", "--source", folder.Path);
        CliResult done = await db.RunProcessAsync("up", "--source", fixedFolder.Path);

        failed.ExitCode.Should().Be(1, failed.ToString());
        failed.Error.Should().Contain($"{folder.File("001_broken.up.sql")}:1:1: error 42601: syntax error at or near \"SELEC\"");
        done.ExitCode.Should().Be(0, done.ToString());
    }

    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
