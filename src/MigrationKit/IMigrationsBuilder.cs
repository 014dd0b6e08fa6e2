using Microsoft.Extensions.DependencyInjection;

namespace MigrationKit;

/// <summary>
/// Returned by <see cref="MigrationsServiceCollectionExtensions.AddMigrations(IServiceCollection)"/>: where the
/// migrations come from (<see cref="MigrationsBuilderExtensions"/>) and which store keeps their history.
/// </summary>
public interface IMigrationsBuilder
{
    /// <summary>Gets the service collection the migrations are registered in.</summary>
    IServiceCollection Services { get; }
}
