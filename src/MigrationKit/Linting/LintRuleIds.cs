namespace MigrationKit.Linting;

/// <summary>
/// The ids of the lint rules. They are a contract: suppression comments (<c>-- migrationkit:allow &lt;rule-id&gt;
/// &lt;reason&gt;</c>), <see cref="MigrationLintOptions.Rules"/> and CI configuration name them, so they never change.
/// </summary>
public static class LintRuleIds
{
    /// <summary><c>CREATE [UNIQUE] INDEX</c> without <c>CONCURRENTLY</c> on a table that exists before the migration.</summary>
    public const string BlockingIndexBuild = "blocking-index-build";

    /// <summary><c>DROP INDEX</c> or <c>REINDEX</c> without <c>CONCURRENTLY</c>.</summary>
    public const string BlockingIndexDrop = "blocking-index-drop";

    /// <summary><c>ADD FOREIGN KEY</c> or <c>ADD CHECK</c> without <c>NOT VALID</c> on an existing table.</summary>
    public const string ConstraintValidatesUnderLock = "constraint-validates-under-lock";

    /// <summary><c>VALIDATE CONSTRAINT</c> in the same transaction that added the constraint <c>NOT VALID</c>.</summary>
    public const string ValidateInSameTransaction = "validate-in-same-transaction";

    /// <summary><c>ADD UNIQUE</c> or <c>ADD PRIMARY KEY</c> on an existing table without <c>USING INDEX</c>.</summary>
    public const string UniqueConstraintBuildsIndex = "unique-constraint-builds-index";

    /// <summary><c>ALTER COLUMN … TYPE</c> that rewrites the table.</summary>
    public const string ColumnTypeRewrite = "column-type-rewrite";

    /// <summary><c>ADD COLUMN</c> with a volatile default, an identity or serial column, or a <c>STORED</c> generated column.</summary>
    public const string VolatileDefaultRewrite = "volatile-default-rewrite";

    /// <summary><c>ALTER COLUMN … SET NOT NULL</c> on an existing table without a validated <c>CHECK (col IS NOT NULL)</c>.</summary>
    public const string SetNotNullScan = "set-not-null-scan";

    /// <summary><c>ADD COLUMN … NOT NULL</c> without a default on an existing table.</summary>
    public const string RequiredColumnWithoutDefault = "required-column-without-default";

    /// <summary><c>DROP TABLE</c> or <c>DROP COLUMN</c> that the application version still running may use.</summary>
    public const string BreakingDrop = "breaking-drop";

    /// <summary>A renamed table or column.</summary>
    public const string BreakingRename = "breaking-rename";

    /// <summary><c>UPDATE</c> or <c>DELETE</c> without <c>WHERE</c> on an existing table in a transactional migration.</summary>
    public const string UnboundedDataChange = "unbounded-data-change";

    /// <summary>In a migration that runs outside a transaction, a <c>CREATE</c> or <c>DROP</c> without <c>IF [NOT] EXISTS</c>.</summary>
    public const string NonIdempotentOutsideTransaction = "non-idempotent-outside-transaction";

    /// <summary>A <c>-- migrationkit:allow</c> comment without a reason after the rule id.</summary>
    public const string SuppressionMissingReason = "suppression-missing-reason";

    /// <summary>A <c>-- migrationkit:allow</c> comment that suppresses nothing, or names no rule.</summary>
    public const string SuppressionUnused = "suppression-unused";

    /// <summary>A <c>-- migrationkit:</c> comment that has no effect: an unknown directive, a bad value, or a directive after the first statement.</summary>
    public const string IgnoredDirective = "ignored-directive";

    /// <summary>Gets every rule id, in the order the rules are documented.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        BlockingIndexBuild,
        BlockingIndexDrop,
        ConstraintValidatesUnderLock,
        ValidateInSameTransaction,
        UniqueConstraintBuildsIndex,
        ColumnTypeRewrite,
        VolatileDefaultRewrite,
        SetNotNullScan,
        RequiredColumnWithoutDefault,
        BreakingDrop,
        BreakingRename,
        UnboundedDataChange,
        NonIdempotentOutsideTransaction,
        SuppressionMissingReason,
        SuppressionUnused,
        IgnoredDirective,
    ];
}
