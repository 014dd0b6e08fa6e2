using MigrationKit.Testing;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;


namespace MigrationKit.IntegrationTests.Support;


public static class Runners
{
    public static MigrationOptions Options(ThrowawayDatabase db, Action<MigrationOptions>? configure = null)
    {
        var options = new MigrationOptions { ConnectionString = db.ConnectionString, LockTimeout = TimeSpan.FromSeconds(60) };
        configure?.Invoke(options);
        return options;
    }

    public static MigrationRunner For(ThrowawayDatabase db, IMigrationSource source, Action<MigrationOptions>? configure = null)
    {
        MigrationOptions options = Options(db, configure);
        return new MigrationRunner(source, new PostgresMigrationStore(options), options);
    }

    public static MigrationRunner For(ThrowawayDatabase db, string folder, Action<MigrationOptions>? configure = null) =>
        For(db, new FileSystemMigrationSource(folder), configure);
}
