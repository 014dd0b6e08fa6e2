using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MigrationKit.Hosting;

namespace MigrationKit;

/// <summary>Adds a health check that reports the database's migration state.</summary>
public static class MigrationsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds the <c>migrations</c> health check: unhealthy when the start-up migration failed or the database is
    /// dirty, degraded while migrations are pending or running, healthy once the database is current.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="tags">Tags for filtering, such as <c>ready</c>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddMigrations(this IHealthChecksBuilder builder, string name = "migrations", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<MigrationHealthCheck>(name, HealthStatus.Unhealthy, tags ?? []);
    }
}
