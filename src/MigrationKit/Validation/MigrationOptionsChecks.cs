using MigrationKit.Linting;
using MigrationKit.Sql;

namespace MigrationKit.Validation;

/// <summary>Checks options once, for the store and for the host's start-up validation, naming every wrong option.</summary>
internal static class MigrationOptionsChecks
{
    public static IReadOnlyList<string> Check(MigrationOptions options, bool requireConnectionString)
    {
        var problems = new List<string>();
        if (requireConnectionString && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            problems.Add($"{nameof(MigrationOptions.ConnectionString)} is not set (and no NpgsqlDataSource was given).");
        }

        if (!PostgresIdentifier.IsValid(options.Schema))
        {
            problems.Add($"{nameof(MigrationOptions.Schema)} must be a PostgreSQL identifier: not empty, no NUL character, at most {PostgresIdentifier.MaxBytes} bytes.");
        }

        if (!PostgresIdentifier.IsValid(options.TableName))
        {
            problems.Add($"{nameof(MigrationOptions.TableName)} must be a PostgreSQL identifier: not empty, no NUL character, at most {PostgresIdentifier.MaxBytes} bytes.");
        }

        if (options.LockTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(MigrationOptions.LockTimeout)} must be greater than zero (it is {options.LockTimeout}).");
        }

        if (options.StatementTimeout is { } statementTimeout && statementTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(MigrationOptions.StatementTimeout)} must be greater than zero when set (it is {statementTimeout}).");
        }

        if (options.DdlLockTimeout is { } ddlLockTimeout && ddlLockTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(MigrationOptions.DdlLockTimeout)} must be greater than zero when set (it is {ddlLockTimeout}).");
        }

        if (options.DdlLockRetries < 0)
        {
            problems.Add($"{nameof(MigrationOptions.DdlLockRetries)} must not be negative (it is {options.DdlLockRetries}).");
        }

        if (options.StartupConnectRetry < TimeSpan.Zero)
        {
            problems.Add($"{nameof(MigrationOptions.StartupConnectRetry)} must not be negative (it is {options.StartupConnectRetry}).");
        }

        if (options.LeaseTimeout < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{nameof(MigrationOptions.LeaseTimeout)} must be at least one second (it is {options.LeaseTimeout}).");
        }

        if (!Enum.IsDefined(options.LockMode))
        {
            problems.Add($"{nameof(MigrationOptions.LockMode)} must be Auto, Advisory or Lease (it is {(int)options.LockMode}).");
        }

        if (!Enum.IsDefined(options.OutOfOrder))
        {
            problems.Add($"{nameof(MigrationOptions.OutOfOrder)} must be Fail or Apply (it is {(int)options.OutOfOrder}).");
        }

        if (options.Lint is null)
        {
            problems.Add($"{nameof(MigrationOptions.Lint)} must not be null (leave it at its default to keep every lint rule's default severity).");
        }
        else
        {
            problems.AddRange(MigrationLinter.Check(options.Lint));
        }

        foreach ((string name, string? value) in options.Placeholders)
        {
            if (!Running.PlaceholderExpander.IsName(name))
            {
                problems.Add($"{nameof(MigrationOptions.Placeholders)} has a placeholder named '{name}': a name is letters, digits and underscores, not starting with a digit (as in ${{tenant_owner}}).");
            }
            else if (string.Equals(name, Running.PlaceholderExpander.SchemaName, StringComparison.Ordinal))
            {
                problems.Add($"{nameof(MigrationOptions.Placeholders)} gives '{name}', which is built in: ${{schema}} is always {nameof(MigrationOptions.Schema)}, inserted as an identifier. Set {nameof(MigrationOptions.Schema)} instead, or use another name.");
            }
            else if (value is null)
            {
                problems.Add($"{nameof(MigrationOptions.Placeholders)} gives no value for '{name}'; give a value (an empty string is one).");
            }
        }

        return problems;
    }
}
