using MigrationKit.Postgres;
using MigrationKit.Sql;
using MigrationKit.Validation;

namespace MigrationKit.Tests;

public sealed class MigrationOptionsTests
{
    [Test]
    public void Defaults_are_as_documented()
    {
        var options = new MigrationOptions();

        options.Schema.Should().Be("public");
        options.TableName.Should().Be("schema_migrations");
        options.LockTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.StatementTimeout.Should().BeNull();
        options.DdlLockTimeout.Should().BeNull();
        options.DdlLockRetries.Should().Be(0);
        options.MigrateOnStartup.Should().BeTrue();
        options.OutOfOrder.Should().Be(OutOfOrderPolicy.Fail);
        options.AllowDrop.Should().BeFalse();
        MigrationOptionsChecks.Check(options, requireConnectionString: false).Should().BeEmpty();
    }

    [Test]
    public void Every_wrong_option_is_named_at_once()
    {
        var options = new MigrationOptions
        {
            Schema = string.Empty,
            TableName = new string('x', 64),
            LockTimeout = TimeSpan.Zero,
            StatementTimeout = TimeSpan.FromSeconds(-1),
            DdlLockTimeout = TimeSpan.Zero,
            DdlLockRetries = -1,
            StartupConnectRetry = TimeSpan.FromSeconds(-1),
        };

        IReadOnlyList<string> problems = MigrationOptionsChecks.Check(options, requireConnectionString: true);

        problems.Should().HaveCount(8);
        string all = string.Join(" ", problems);
        foreach (string name in new[] { "ConnectionString", "Schema", "TableName", "LockTimeout", "StatementTimeout", "DdlLockTimeout", "DdlLockRetries", "StartupConnectRetry" })
        {
            all.Should().Contain(name);
        }
    }

    [TestCase("public", "\"public\"")]
    [TestCase("we\"ird; DROP TABLE x; --", "\"we\"\"ird; DROP TABLE x; --\"")]
    public void Identifiers_are_quoted_with_inner_quotes_doubled(string name, string quoted) =>
        PostgresIdentifier.Quote(name).Should().Be(quoted);

    [Test]
    public void Lock_keys_differ_per_database_schema_and_table_and_are_stable()
    {
        long key = MigrationLockKey.Compute("db", "public", "schema_migrations");

        key.Should().Be(MigrationLockKey.Compute("db", "public", "schema_migrations"));
        key.Should().NotBe(MigrationLockKey.Compute("db", "other", "schema_migrations"));
        key.Should().NotBe(MigrationLockKey.Compute("db2", "public", "schema_migrations"));
        key.Should().NotBe(MigrationLockKey.Compute("db", "public", "history"));
    }

    [Test]
    public void The_telemetry_names_and_log_event_ids_are_a_stable_contract()
    {
        MigrationDiagnostics.ActivitySourceName.Should().Be("MigrationKit");
        MigrationDiagnostics.MeterName.Should().Be("MigrationKit");
        MigrationEventIds.RunStarting.Should().Be(1000);
        MigrationEventIds.LockTimedOut.Should().Be(2003);
        MigrationEventIds.MigrationFailed.Should().Be(3002);
        MigrationEventIds.StartupMigrationFailed.Should().Be(5004);
        typeof(MigrationEventIds).GetFields().Select(f => (int)f.GetRawConstantValue()!).Should().OnlyHaveUniqueItems();
    }
}
