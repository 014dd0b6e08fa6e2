using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using MigrationKit.Sources;

namespace MigrationKit.Running;

/// <summary>
/// Reads the source for a run: every problem at once, and a source that finds no migration is an error (unless
/// <see cref="MigrationOptions.AllowEmptySource"/>), saying where it looked and what it found instead; placeholders
/// replaced (<see cref="PlaceholderExpander"/>) when the run uses them (<see cref="MigrationOptions.ReplacePlaceholders"/>).
/// </summary>
internal sealed class SourceLoader(IMigrationSource source, MigrationOptions options, ILogger logger, TimeProvider time)
{
    private readonly PlaceholderExpander? _placeholders = options.ReplacesPlaceholders ? new PlaceholderExpander(options) : null;

    public IMigrationSource Source => source;

    /// <summary>The names-only scan of a built-in source, for the no-op start; <see langword="null"/> for another source.</summary>
    public async ValueTask<SourceCatalog?> ScanAsync(CancellationToken cancellationToken) =>
        source is ICatalogMigrationSource catalogSource ? await catalogSource.ScanAsync(cancellationToken).ConfigureAwait(false) : null;

    public async Task<SourceLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        SourceLoadResult result = await CompositeMigrationSource.LoadOneAsync(source, cancellationToken).ConfigureAwait(false);
        if (_placeholders is not null)
        {
            result = _placeholders.Expand(result);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.SourceLoaded(result.Migrations.Count, source.ToString() ?? source.GetType().Name, time.GetElapsedTime(started).TotalMilliseconds);
        }

        if (result.Migrations.Count == 0 && !result.HasErrors)
        {
            string hint = source is ICatalogMigrationSource catalogSource ? catalogSource.ExplainEmpty() ?? string.Empty : string.Empty;
            var empty = new ValidationProblem(
                ValidationCode.EmptySource,
                options.AllowEmptySource ? ValidationSeverity.Info : ValidationSeverity.Error,
                options.AllowEmptySource
                    ? $"The source ({source}) holds no migration; {nameof(MigrationOptions.AllowEmptySource)} is set, so that is not an error.{hint}"
                    : $"The source ({source}) holds no migration, so there is nothing to apply and every applied version would look missing.{hint} " +
                      $"Check the folder or the embedded resources (<EmbeddedResource Include=\"Migrations/*.sql\" /> and the folder given to FromEmbeddedResources), " +
                      $"or set {nameof(MigrationOptions.AllowEmptySource)} = true if an empty source is intended.");
            result = result with { Problems = [.. result.Problems, empty] };
        }

        return result;
    }

    /// <summary>The migrations, or an exception listing the errors; the warnings (a down file alone, say) are logged.</summary>
    public async Task<IReadOnlyList<Migration>> LoadOrThrowAsync(CancellationToken cancellationToken)
    {
        SourceLoadResult result = await LoadAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Migration> migrations = result.GetMigrationsOrThrow();
        foreach (ValidationProblem warning in result.Problems.Where(p => p.Severity == ValidationSeverity.Warning))
        {
            logger.ValidationWarning(warning.ToString());
        }

        return migrations;
    }

    /// <summary>Throws when the source is empty and that is an error (a status of nothing against everything applied would mislead).</summary>
    public static void ThrowIfEmpty(SourceLoadResult loaded)
    {
        if (loaded.Problems.Any(p => p.Code == ValidationCode.EmptySource && p.Severity == ValidationSeverity.Error))
        {
            throw new MigrationValidationException(loaded.Problems.Where(p => p.Code == ValidationCode.EmptySource));
        }
    }
}
