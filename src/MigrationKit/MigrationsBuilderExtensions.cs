using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MigrationKit.Sources;

namespace MigrationKit;

/// <summary>Where the migrations come from, and which store keeps their history.</summary>
public static class MigrationsBuilderExtensions
{
    /// <summary>Reads migrations from a folder of <c>.sql</c> files. Several sources may be added; a version in two of them is an error.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The folder, absolute or relative to the current directory.</param>
    /// <returns>The builder.</returns>
    public static IMigrationsBuilder FromDirectory(this IMigrationsBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.FromSource(new FileSystemMigrationSource(directory));
    }

    /// <summary>Reads migrations embedded in an assembly, optionally only those under a folder such as <c>Migrations</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="assembly">The assembly that embeds the scripts.</param>
    /// <param name="folder">The folder they were embedded from, or <see langword="null"/> for every matching resource.</param>
    /// <returns>The builder.</returns>
    public static IMigrationsBuilder FromEmbeddedResources(this IMigrationsBuilder builder, Assembly assembly, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.FromSource(new EmbeddedResourceMigrationSource(assembly, folder));
    }

    /// <summary>Reads migrations from any source.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="source">The source.</param>
    /// <returns>The builder.</returns>
    public static IMigrationsBuilder FromSource(this IMigrationsBuilder builder, IMigrationSource source)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        builder.Services.AddSingleton(source);
        return builder;
    }

    /// <summary>Keeps the history in another store than PostgreSQL's default one.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store.</param>
    /// <returns>The builder.</returns>
    public static IMigrationsBuilder UseStore(this IMigrationsBuilder builder, IMigrationStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.Services.Replace(ServiceDescriptor.Singleton(store));
        builder.Services.RemoveAll<Hosting.DefaultStoreMarker>();
        return builder;
    }

    /// <summary>Keeps the history in a store created by dependency injection.</summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IMigrationsBuilder UseStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(this IMigrationsBuilder builder)
        where TStore : class, IMigrationStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IMigrationStore, TStore>());
        builder.Services.RemoveAll<Hosting.DefaultStoreMarker>();
        return builder;
    }
}
