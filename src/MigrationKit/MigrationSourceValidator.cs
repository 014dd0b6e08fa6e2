using MigrationKit.Linting;
using MigrationKit.Sources;

namespace MigrationKit;

/// <summary>
/// Checks a source without a database: file names, duplicate versions, what the lexer finds in each script, the
/// options' policies and lint of the text. For a build step or a unit test; <see cref="IMigrationRunner.ValidateAsync"/>
/// checks the same and the history too.
/// </summary>
public static class MigrationSourceValidator
{
    /// <summary>Reads the source and checks it, reporting every problem at once.</summary>
    /// <param name="source">The migrations.</param>
    /// <param name="options">The policies (down scripts required, sequential versions, lint severities, an empty source allowed); the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The migrations that could be read, and the report.</returns>
    public static async Task<SourceValidation> ValidateAsync(IMigrationSource source, MigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options = options?.Clone() ?? new MigrationOptions();
        SourceLoadResult loaded = await new Running.SourceLoader(source, options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System)
            .LoadAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<ValidationProblem>(loaded.Problems);
        LintReport lint = new MigrationLinter(options.Lint).Lint(loaded.Migrations);
        Running.SourceChecks.Check(loaded.Migrations, options, problems, lint);
        return new SourceValidation { Migrations = loaded.Migrations, Report = new ValidationReport(problems), Lint = lint };
    }
}
