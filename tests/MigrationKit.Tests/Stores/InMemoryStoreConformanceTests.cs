using MigrationKit.Testing.Stores;

namespace MigrationKit.Tests.Stores;

/// <summary>The in-memory store passes the same conformance suite as the PostgreSQL store.</summary>
public sealed class InMemoryStoreConformanceTests
{
    private static IEnumerable<string> Checks => MigrationStoreConformance.CheckNames;

    [TestCaseSource(nameof(Checks))]
    public async Task The_in_memory_store_conforms(string check)
    {
        var conformance = new MigrationStoreConformance((options, _) => Task.FromResult<IMigrationStore>(new InMemoryMigrationStore(options)
        {
            // It runs no SQL: the suite's failing script fails by this rule.
            Executor = (step, _) => step.Script.Sql.Contains("1/0", StringComparison.Ordinal) ? throw new InvalidOperationException("division by zero") : Task.CompletedTask,
        }));

        await conformance.RunAsync(check);
    }

    [Test]
    public async Task A_store_that_breaks_the_contract_fails_the_suite_naming_the_check()
    {
        // A store that forgets the dirty flag of a failed script outside a transaction: its executor never fails.
        var conformance = new MigrationStoreConformance((options, _) => Task.FromResult<IMigrationStore>(new InMemoryMigrationStore(options)));

        Func<Task> run = () => conformance.RunAllAsync();

        (await run.Should().ThrowAsync<MigrationStoreConformanceException>())
            .Which.Message.Should().Contain("A failed transactional script records nothing").And.Contain("expected MigrationFailedException");
    }

    [Test]
    public void Every_check_has_a_distinct_stable_name()
    {
        MigrationStoreConformance.CheckNames.Should().OnlyHaveUniqueItems().And.HaveCountGreaterThanOrEqualTo(17);
        MigrationStoreConformance.CheckNames.Should().Contain("A version already recorded is neither run again nor marked dirty");
    }
}
