using Microsoft.Extensions.DependencyInjection;

namespace MigrationKit.Hosting;

/// <summary>The builder <c>AddMigrations</c> returns.</summary>
internal sealed class MigrationsBuilder(IServiceCollection services) : IMigrationsBuilder
{
    public IServiceCollection Services { get; } = services;
}
