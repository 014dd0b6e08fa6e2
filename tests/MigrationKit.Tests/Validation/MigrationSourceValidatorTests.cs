using MigrationKit.Linting;
using MigrationKit.Sources;

namespace MigrationKit.Tests.Validation;

/// <summary>A source is checked with no database: every problem of the folder, the policies and lint of the text.</summary>
public sealed class MigrationSourceValidatorTests
{
    [Test]
    public async Task A_source_is_checked_without_a_database_with_every_problem_at_once()
    {
        var source = new InMemoryMigrationSource()
            .Add(1, "create_tasks", "CREATE TABLE tasks (id int);")
            .Add(2, "unterminated", "SELECT 'never closed;")
            .Add(3, "index", "CREATE INDEX ix ON tasks (id);");

        SourceValidation result = await MigrationSourceValidator.ValidateAsync(source, new MigrationOptions { RequireDownScripts = true });

        result.Migrations.Select(m => m.Version).Should().Equal(1, 2, 3);
        result.Report.IsValid.Should().BeFalse();
        result.Report.Errors.Should().Contain(p => p.Code == ValidationCode.SyntaxError && p.Version == 2)
            .And.Contain(p => p.Code == ValidationCode.MissingDownScript && p.Version == 1);
        result.Lint.Findings.Should().ContainSingle(f => f.RuleId == LintRuleIds.BlockingIndexBuild && f.Version == 3);
        result.Report.Problems.Should().Contain(p => p.Code == ValidationCode.LintFinding && p.RuleId == LintRuleIds.BlockingIndexBuild);
    }

    [Test]
    public async Task An_empty_source_is_an_error_unless_the_options_allow_it()
    {
        (await MigrationSourceValidator.ValidateAsync(new InMemoryMigrationSource())).Report.Errors.Should().ContainSingle(p => p.Code == ValidationCode.EmptySource);
        (await MigrationSourceValidator.ValidateAsync(new InMemoryMigrationSource(), new MigrationOptions { AllowEmptySource = true })).Report.IsValid.Should().BeTrue();
    }
}
