using MigrationKit.Cli.Tests.Support;

namespace MigrationKit.Cli.Tests;

/// <summary>The password of the database URL never shows: not in output, errors, verbose logs or JSON.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class SecretTests
{
    private static readonly string Planner = MigrationFolder.PlannerMigrations;

    [Test]
    public async Task Every_command_works_with_a_password_from_the_url_and_never_prints_it()
    {
        RequirePasswordUser();
        await using var db = await TestDatabase.CreateAsync();
        var start = new CliStart { DatabaseUrl = db.PasswordUrl, Input = "y\n" };
        string[][] commands =
        [
            ["up", "3", "--verbose"],
            ["status"],
            ["status", "--json", "--verbose"],
            ["plan", "--sql", "--verbose"],
            ["validate", "--verbose"],
            ["validate", "--json"],
            ["up", "--verbose"],
            ["goto", "8", "--verbose"],
            ["force", "8", "--verbose"],
            ["down", "--verbose"],
            ["baseline", "10", "--verbose"],
            ["drop", "--verbose"],
        ];

        foreach (string[] command in commands)
        {
            CliResult result = await CliProcess.RunAsync(start, [.. command, "--source", Planner]);

            result.ExitCode.Should().Be(0, $"{string.Join(' ', command)}: {result}");
            result.All.Should().NotContain(TestServer.Password, string.Join(' ', command));
            result.All.Should().NotContain(Uri.EscapeDataString(TestServer.Password));
        }

        (await db.TablesAsync()).Should().BeEmpty("the last command dropped everything, as the password user");
    }

    [Test]
    public async Task Verbose_output_shows_where_it_connects_but_not_the_password()
    {
        RequirePasswordUser();
        await using var db = await TestDatabase.CreateAsync();

        CliResult result = await CliProcess.RunAsync(new CliStart { DatabaseUrl = db.PasswordUrl }, "up", "--verbose", "--source", Planner);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().Contain($"database \"{db.Name}\" on 127.0.0.1:{db.Port} as {TestServer.PasswordUser} (from DATABASE_URL; password given)")
            .And.Contain("LockAcquired[2001]")
            .And.NotContain(TestServer.Password);
    }

    [Test]
    public async Task A_wrong_password_fails_with_exit_1_naming_the_user_but_neither_password()
    {
        RequirePasswordUser();
        await using var db = await TestDatabase.CreateAsync();
        const string wrong = "Wr0ng-but-also-secret";
        string url = db.PasswordUrl.Replace(Uri.EscapeDataString(TestServer.Password), wrong, StringComparison.Ordinal);

        CliResult result = await CliProcess.RunAsync(new CliStart { DatabaseUrl = url }, "status", "--verbose", "--source", Planner);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain($"user \"{TestServer.PasswordUser}\"").And.Contain("refused the credentials");
        result.All.Should().NotContain(wrong).And.NotContain(TestServer.Password);
    }

    [Test]
    public async Task A_password_given_in_an_npgsql_connection_string_is_not_printed_either()
    {
        RequirePasswordUser();
        await using var db = await TestDatabase.CreateAsync();
        string connectionString = $"Host=127.0.0.1;Port={db.Port};Database={db.Name};Username={TestServer.PasswordUser};Password={TestServer.Password}";

        CliResult up = await CliProcess.RunAsync(new CliStart(), "up", "--verbose", "--database", connectionString, "--source", Planner);
        CliResult status = await CliProcess.RunAsync(new CliStart(), "status", "--json", "--database", connectionString, "--source", Planner);

        up.ExitCode.Should().Be(0, up.ToString());
        status.ExitCode.Should().Be(0, status.ToString());
        (up.All + status.All).Should().NotContain(TestServer.Password);
        (await db.VersionsAsync()).Should().HaveCount(10);
    }

    private static void RequirePasswordUser()
    {
        if (!TestServer.HasPasswordUser)
        {
            Assert.Ignore("Needs the private test cluster, where a role with a password can be made; an external server has none.");
        }
    }
}
