using Microsoft.Extensions.Options;
using MigrationKit;
using Planner;

// The MCP-Planner: projects, tasks, steps, disputes and an audit log, served by a minimal API on a schema that
// MigrationKit brings up to date before the first request.
//
//   dotnet run                     migrate, print the status table, serve on http://127.0.0.1:5080
//   dotnet run -- --migrate-only   migrate, print the status table, exit 0
//
// The database: ConnectionStrings:Planner (environment: ConnectionStrings__Planner). With none in Development, a
// private, throwaway PostgreSQL is started from the local server binaries and deleted on shutdown.
bool migrateOnly = args.Contains(PlannerApp.MigrateOnlyArgument);
string[] hostArgs = [.. args.Where(a => a != PlannerApp.MigrateOnlyArgument)];

WebApplicationBuilder builder = WebApplication.CreateBuilder(hostArgs);
using ILoggerFactory startupLoggers = PlannerApp.CreateStartupLoggerFactory(builder.Configuration);
ILogger log = startupLoggers.CreateLogger("Planner");

DevelopmentDatabase? developmentDatabase = null;
try
{
    string? connectionString = builder.Configuration.GetConnectionString("Planner");
    if (string.IsNullOrWhiteSpace(connectionString))
    {
        if (!builder.Environment.IsDevelopment())
        {
            PlannerLog.NoConnectionString(log, builder.Environment.EnvironmentName);
            return 1;
        }

        developmentDatabase = await DevelopmentDatabase.StartAsync(startupLoggers);
        connectionString = developmentDatabase.ConnectionString;
    }

    if (migrateOnly)
    {
        // The same start-up migration as the web app, without the web server: migrate, print the table, exit.
        // The web builder's environment (ASPNETCORE_ENVIRONMENT) is the app's; a plain host would read only DOTNET_ENVIRONMENT.
        HostApplicationBuilder migrator = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { Args = hostArgs, EnvironmentName = builder.Environment.EnvironmentName });
        PlannerApp.AddDatabase(migrator.Services, migrator.Configuration, connectionString);
        using IHost host = migrator.Build();
        await host.StartAsync();
        await host.StopAsync();
        return 0;
    }

    if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    {
        builder.WebHost.UseUrls(PlannerApp.DefaultUrl);
    }

    PlannerApp.AddDatabase(builder.Services, builder.Configuration, connectionString);
    builder.Services.AddHealthChecks()
        .AddMigrations()
        .AddCheck<DatabaseHealthCheck>("database");
    builder.Services.ConfigureHttpJsonOptions(o => PlannerApp.ConfigureJson(o.SerializerOptions));

    WebApplication app = builder.Build();
    app.MapPlannerEndpoints();
    await app.RunAsync();
    return 0;
}
catch (OperationCanceledException)
{
    // Stopped (Ctrl+C, SIGTERM) during start-up: MigrationKit logged that it canceled the migration (event 5005).
    PlannerLog.StoppedDuringStartup(log);
    return 0;
}
catch (Exception ex) when (PlannerApp.IsReportedStartupFailure(ex))
{
    // MigrationKit has logged the one line that says what failed and where; a stack trace adds nothing.
    return 1;
}
catch (Exception ex)
{
    // Invalid options say everything in their message (each wrong option by name); anything else gets its stack trace.
    PlannerLog.StartupFailed(log, ex.Message, ex is OptionsValidationException ? null : ex);
    return 1;
}
finally
{
    if (developmentDatabase is not null)
    {
        await developmentDatabase.DisposeAsync();
    }
}
