using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationKit.Hosting;
using MigrationKit.Postgres;
using MigrationKit.Sources;
using Npgsql;

namespace MigrationKit;

/// <summary>Registers MigrationKit in a service collection: the runner, the store, and the start-up migration.</summary>
public static class MigrationsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the migration runner and the hosted service that migrates the database at start-up, before any
    /// other hosted service starts. Calling it again is harmless; every part is registered with <c>TryAdd</c>, so an
    /// application can replace any of them.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to say where the migrations come from.</returns>
    public static IMigrationsBuilder AddMigrations(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MigrationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MigrationOptions>, MigrationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MigrationHealth>();
        if (!services.Any(d => d.ServiceType == typeof(IMigrationStore)))
        {
            // Marks the built-in store, whose connection the options must name; UseStore removes the mark.
            services.AddSingleton<DefaultStoreMarker>();
        }

        services.TryAddSingleton<IMigrationStore>(CreateStore);
        services.TryAddSingleton<IMigrationRunner>(CreateRunner);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MigrationHostedService>());
        return new MigrationsBuilder(services);
    }

    /// <summary>Registers MigrationKit and configures its options in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options, such as <see cref="MigrationOptions.ConnectionString"/>.</param>
    /// <returns>A builder to say where the migrations come from.</returns>
    public static IMigrationsBuilder AddMigrations(this IServiceCollection services, Action<MigrationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        IMigrationsBuilder builder = services.AddMigrations();
        services.Configure(configure);
        return builder;
    }

    /// <summary>Registers MigrationKit and binds its options to a configuration section (such as <c>Migrations</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <c>ConnectionString</c>, <c>Schema</c>, <c>LockTimeout</c> and the other options.</param>
    /// <returns>A builder to say where the migrations come from.</returns>
    public static IMigrationsBuilder AddMigrations(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IMigrationsBuilder builder = services.AddMigrations();
        services.Configure<MigrationOptions>(configuration);
        return builder;
    }

    private static PostgresMigrationStore CreateStore(IServiceProvider provider)
    {
        MigrationOptions options = provider.GetRequiredService<IOptions<MigrationOptions>>().Value;
        ILogger<PostgresMigrationStore> logger = provider.GetRequiredService<ILogger<PostgresMigrationStore>>();
        TimeProvider time = provider.GetRequiredService<TimeProvider>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new PostgresMigrationStore(options, logger, time);
        }

        NpgsqlDataSource dataSource = provider.GetService<NpgsqlDataSource>()
            ?? throw new InvalidOperationException(MigrationOptionsValidator.NoConnectionMessage);
        return new PostgresMigrationStore(dataSource, options, logger, time);
    }

    private static MigrationRunner CreateRunner(IServiceProvider provider)
    {
        IMigrationSource[] sources = [.. provider.GetServices<IMigrationSource>()];
        if (sources.Length == 0)
        {
            throw new InvalidOperationException(MigrationOptionsValidator.NoSourceMessage);
        }

        return new MigrationRunner(
            sources.Length == 1 ? sources[0] : new CompositeMigrationSource(sources),
            provider.GetRequiredService<IMigrationStore>(),
            provider.GetRequiredService<IOptions<MigrationOptions>>().Value,
            provider.GetRequiredService<ILogger<MigrationRunner>>(),
            provider.GetRequiredService<TimeProvider>());
    }
}
