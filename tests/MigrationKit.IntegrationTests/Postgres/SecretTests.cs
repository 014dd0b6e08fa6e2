using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// A connection string with a password goes through a successful run, a failing script, a lock timeout, a lost
/// connection and status and validate, with every log event recorded down to Trace: the password appears in no
/// exception (message, inner exceptions, data) and in no log event (message, state values, exception). The CLI's
/// <c>status --json</c> is checked where the CLI is tested.
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Hostile")]
[Parallelizable(ParallelScope.All)]
public sealed class SecretTests
{
    [Test]
    public async Task The_password_of_the_connection_string_appears_in_no_exception_and_no_log_event()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        string password = "s3cret-not-used-by-trust";
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "mk-secret" };
        if (TestServer.HasPasswordUser)
        {
            // The private cluster asks this role for its password (scram-sha-256), so the password is really used.
            await Db.ExecuteAsync(db.ConnectionString, $"GRANT CREATE, USAGE ON SCHEMA public TO {TestServer.PasswordUser}");
            password = TestServer.Password;
            builder.Username = TestServer.PasswordUser;
        }

        builder.Password = password;
        string connectionString = builder.ConnectionString;
        var logger = new RecordingLogger();
        var exceptions = new List<Exception>();
        using var folder = new MigrationFolder()
            .Up(1, "create_a", "CREATE TABLE a (id int);")
            .Up(2, "create_b", "CREATE TABLE b (id int);");

        // A successful run, status, validate.
        var runner = FaultSupport.Runner(connectionString, folder.Path, logger);
        await runner.UpAsync();
        await runner.GetStatusAsync();
        await runner.ValidateAsync();

        // A failing script.
        folder.Up(3, "broken", "CREATE TABLE c (id int);\nSELECT no_such_column FROM a;");
        exceptions.Add(await CatchAsync(() => runner.UpAsync()));

        // A lock timeout.
        await using (await LockHolder.TakeAsync(db, "mk-secret-holder"))
        {
            exceptions.Add(await CatchAsync(() => FaultSupport.Runner(connectionString, folder.Path, logger, o => o.LockTimeout = TimeSpan.FromMilliseconds(300)).UpAsync()));
        }

        // A lost connection, inside a script.
        folder.Up(3, "broken", "CREATE TABLE c (id int);\nSELECT pg_sleep(30);");
        Task<MigrationReport> slow = FaultSupport.Runner(connectionString, folder.Path, logger).UpAsync();
        await FaultSupport.TerminateAsync(await FaultSupport.SessionPidAsync("mk-secret", "%pg_sleep(30)%", "active", "PgSleep"));
        exceptions.Add(await CatchAsync(() => slow));

        // A wrong database.
        var elsewhere = new NpgsqlConnectionStringBuilder(connectionString) { Database = "no_such_database" };
        exceptions.Add(await CatchAsync(() => FaultSupport.Runner(elsewhere.ConnectionString, folder.Path, logger).UpAsync()));

        exceptions.Select(e => e.GetType().Name).Should().Equal(
            nameof(MigrationFailedException), nameof(MigrationLockTimeoutException), nameof(MigrationFailedException), nameof(MigrationConnectionException));
        logger.Records.Should().Contain(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Trace, "logging was recorded down to Trace");
        foreach (Exception exception in exceptions)
        {
            Everything(exception).Should().NotContain(password, $"{exception.GetType().Name} must not carry the password");
        }

        logger.Records.Where(r => r.AllText.Contains(password, StringComparison.Ordinal)).Select(r => r.EventId.Name).Should().BeEmpty("no log event carries the password");
        TestContext.Out.WriteLine($"{logger.Records.Count} log events and {exceptions.Count} exceptions checked");
    }

    private static async Task<Exception> CatchAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (MigrationException ex)
        {
            return ex;
        }

        throw new AssertionException("The run was expected to fail.");
    }

    /// <summary>The exception as printed, with every inner exception's data too.</summary>
    private static string Everything(Exception exception)
    {
        var text = new System.Text.StringBuilder(exception.ToString());
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            foreach (System.Collections.DictionaryEntry entry in e.Data)
            {
                text.Append('\n').Append(entry.Key).Append('=').Append(entry.Value);
            }

            if (e is PostgresException pg)
            {
                text.Append('\n').Append(pg.Detail).Append(pg.Hint).Append(pg.InternalQuery).Append(pg.Where);
            }
        }

        return text.ToString();
    }
}
