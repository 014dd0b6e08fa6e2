namespace MigrationKit.Benchmarks;

/// <summary>What the tools migrate: the golang-migrate folder, its Flyway-named copy, and how many migrations they hold.</summary>
/// <param name="GolangMigrateFolder">The <c>{version}_{description}.up.sql</c>/<c>.down.sql</c> folder.</param>
/// <param name="FlywayFolder">The <c>V{version}__{description}.sql</c> folder, for Evolve.</param>
/// <param name="Count">The number of migrations.</param>
internal sealed record Workload(string GolangMigrateFolder, string FlywayFolder, int Count)
{
    public static Workload Of(MigrationFolders folders) => new(folders.GolangMigrate, folders.Flyway, folders.Count);
}
