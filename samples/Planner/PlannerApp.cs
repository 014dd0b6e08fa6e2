using System.Text.Json;
using System.Text.Json.Serialization;
using MigrationKit;

namespace Planner;

/// <summary>What the web app and <c>--migrate-only</c> share: the database, its migrations, the status table.</summary>
internal static class PlannerApp
{
    public const string MigrateOnlyArgument = "--migrate-only";

    /// <summary>Where the app listens unless ASPNETCORE_URLS or --urls says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// The data source the endpoints use, and MigrationKit migrating through it at start-up (no connection string in
    /// its options: it takes the <see cref="Npgsql.NpgsqlDataSource"/> from DI). The status table is printed by a
    /// hosted service registered after AddMigrations, so it runs once the database is migrated.
    /// </summary>
    public static void AddDatabase(IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.AddNpgsqlDataSource(connectionString);
        services.AddMigrations(configuration.GetSection("Migrations"))
            .FromEmbeddedResources(typeof(Program).Assembly, "Migrations");
        services.AddHostedService<StatusTablePrinter>();
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.TypeInfoResolverChain.Insert(0, PlannerJsonContext.Default);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter<MigrationState>(JsonNamingPolicy.SnakeCaseLower));
    }

    /// <summary>
    /// Failures already logged as one clear line: the start-up migration's (MigrationKit logs event 5004,
    /// StartupMigrationFailed). Nothing else at start-up throws a <see cref="MigrationException"/>: the status table
    /// only warns when it cannot be read.
    /// </summary>
    public static bool IsReportedStartupFailure(Exception exception) => exception is MigrationException;

    /// <summary>A console logger for what happens before the host exists (the development database).</summary>
    public static ILoggerFactory CreateStartupLoggerFactory(IConfiguration configuration) =>
        LoggerFactory.Create(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddConsole());
}
