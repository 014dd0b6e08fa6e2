using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MigrationKit.Validation;
using Npgsql;

namespace MigrationKit.Hosting;

/// <summary>
/// Validates the options when the host starts (<c>ValidateOnStart</c>), before any migration: every wrong option,
/// a missing connection and a missing migration source, all reported at once, each naming what to set.
/// </summary>
internal sealed class MigrationOptionsValidator(IServiceProvider provider) : IValidateOptions<MigrationOptions>
{
    public const string NoConnectionMessage =
        "MigrationOptions.ConnectionString is not set and no NpgsqlDataSource is registered: set the connection string (AddMigrations(o => o.ConnectionString = …)) or register a data source (AddNpgsqlDataSource).";

    public const string NoSourceMessage =
        "No migration source is registered: call FromDirectory, FromEmbeddedResources or FromSource on what AddMigrations returns.";

    public ValidateOptionsResult Validate(string? name, MigrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(MigrationOptionsChecks.Check(options, requireConnectionString: false));
        if (IsRegistered(typeof(DefaultStoreMarker)) && string.IsNullOrWhiteSpace(options.ConnectionString) && !IsRegistered(typeof(NpgsqlDataSource)))
        {
            errors.Add(NoConnectionMessage);
        }

        if (!provider.GetServices<IMigrationSource>().Any())
        {
            errors.Add(NoSourceMessage);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private bool IsRegistered(Type type) =>
        provider.GetService<IServiceProviderIsService>()?.IsService(type) ?? provider.GetService(type) is not null;
}
