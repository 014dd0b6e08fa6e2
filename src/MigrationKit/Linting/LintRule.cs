namespace MigrationKit.Linting;

/// <summary>One lint rule as documented: its id, a title, what it finds and why, and the safe recipe (for SARIF and tools).</summary>
public sealed class LintRule
{
    private LintRule(string id, string name, string title, string description, string recipe)
    {
        Id = id;
        Name = name;
        Title = title;
        Description = description;
        Recipe = recipe;
    }

    /// <summary>Gets the stable id (<see cref="LintRuleIds"/>).</summary>
    public string Id { get; }

    /// <summary>Gets a PascalCase name, for SARIF.</summary>
    public string Name { get; }

    /// <summary>Gets one line: what the rule finds.</summary>
    public string Title { get; }

    /// <summary>Gets why it matters.</summary>
    public string Description { get; }

    /// <summary>Gets the safe way; every finding of the rule carries it.</summary>
    public string Recipe { get; }

    /// <summary>Gets every rule, in the order of <see cref="LintRuleIds.All"/>.</summary>
    public static IReadOnlyList<LintRule> All { get; } =
    [
        new(
            LintRuleIds.BlockingIndexBuild,
            "BlockingIndexBuild",
            "CREATE INDEX without CONCURRENTLY on a table that exists before the migration",
            "A plain CREATE INDEX holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits until the index is built.",
            "Build it with CREATE INDEX CONCURRENTLY in a migration of its own (MigrationKit runs such a migration outside a transaction); writes go on while it builds. " +
            "Put DROP INDEX CONCURRENTLY IF EXISTS before it, so that a retry after a failed build, which leaves an INVALID index behind, starts clean."),
        new(
            LintRuleIds.BlockingIndexDrop,
            "BlockingIndexDrop",
            "DROP INDEX or REINDEX without CONCURRENTLY",
            "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table, and REINDEX one on the index: queries on the table wait, and the statement itself waits behind every running query, holding up all that queue after it.",
            "Use DROP INDEX CONCURRENTLY IF EXISTS, or REINDEX … CONCURRENTLY (PostgreSQL 12 and later), in a migration of its own (MigrationKit runs it outside a transaction). " +
            "Before PostgreSQL 12, rebuild an index by creating a new one CONCURRENTLY, dropping the old one CONCURRENTLY, and renaming the new one."),
        new(
            LintRuleIds.ConstraintValidatesUnderLock,
            "ConstraintValidatesUnderLock",
            "ADD FOREIGN KEY or ADD CHECK without NOT VALID on an existing table",
            "Adding the constraint checks every existing row while holding the lock it took: ACCESS EXCLUSIVE for a CHECK (reads and writes wait), SHARE ROW EXCLUSIVE on both tables for a FOREIGN KEY (writes wait).",
            "Add it NOT VALID (existing rows are not checked, so the lock is brief), then VALIDATE CONSTRAINT in a later migration: validating takes only a SHARE UPDATE EXCLUSIVE lock, so reads and writes go on while it scans."),
        new(
            LintRuleIds.ValidateInSameTransaction,
            "ValidateInSameTransaction",
            "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID",
            "The lock ADD CONSTRAINT … NOT VALID took is held until the transaction commits, so the validating scan runs under it after all.",
            "Move VALIDATE CONSTRAINT to a later migration, so that the lock of ADD CONSTRAINT … NOT VALID is released before the scan; validating alone takes a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes go on."),
        new(
            LintRuleIds.UniqueConstraintBuildsIndex,
            "UniqueConstraintBuildsIndex",
            "ADD UNIQUE or ADD PRIMARY KEY without USING INDEX on an existing table",
            "The constraint builds its index while holding an ACCESS EXCLUSIVE lock on the table: reads and writes wait for the whole build.",
            "CREATE UNIQUE INDEX CONCURRENTLY in a migration of its own first, then ALTER TABLE … ADD CONSTRAINT name UNIQUE USING INDEX index_name (or PRIMARY KEY USING INDEX), which takes the built index over with a brief lock. " +
            "A primary key also needs its columns NOT NULL first (see set-not-null-scan)."),
        new(
            LintRuleIds.ColumnTypeRewrite,
            "ColumnTypeRewrite",
            "ALTER COLUMN … TYPE that rewrites the table",
            "Changing a column's type rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock: reads and writes wait until it is done.",
            "Expand and contract: add a column of the new type, fill it in batches, have the application write both and then read the new one, and drop the old column later. " +
            "Changes PostgreSQL makes without a rewrite are not reported: varchar(n) to varchar(m) with m ≥ n or to varchar, varchar to text, text to varchar, numeric(p,s) to numeric(q,s) with q ≥ p or to numeric."),
        new(
            LintRuleIds.VolatileDefaultRewrite,
            "VolatileDefaultRewrite",
            "ADD COLUMN with a volatile default, an identity or serial column, or a STORED generated column",
            "Each existing row needs its own value, so PostgreSQL rewrites the table under an ACCESS EXCLUSIVE lock (before PostgreSQL 11, any default does this).",
            "Add the column without a default (from PostgreSQL 11 on, a constant or stable default such as now() is fine), set the default for new rows with ALTER COLUMN … SET DEFAULT, and fill existing rows in batches. " +
            "For a generated column, add a plain column kept up to date by a trigger, and fill existing rows in batches."),
        new(
            LintRuleIds.SetNotNullScan,
            "SetNotNullScan",
            "SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL)",
            "SET NOT NULL scans every row for NULLs while holding an ACCESS EXCLUSIVE lock: reads and writes wait for the scan.",
            "From PostgreSQL 12 on: ADD CONSTRAINT c_not_null CHECK (c IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c_not_null in a later migration; then SET NOT NULL, which trusts the validated constraint instead of scanning, and DROP CONSTRAINT c_not_null. " +
            "Before PostgreSQL 12 the scan cannot be avoided: keep the validated CHECK constraint in place of NOT NULL."),
        new(
            LintRuleIds.RequiredColumnWithoutDefault,
            "RequiredColumnWithoutDefault",
            "ADD COLUMN … NOT NULL without a default on an existing table",
            "The statement fails on a table that has rows, and the application version still running, which does not set the column, fails on every INSERT once it exists.",
            "Add the column with a constant default (from PostgreSQL 11 on that needs no rewrite), or add it nullable, fill it, and make it NOT NULL the safe way (see set-not-null-scan)."),
        new(
            LintRuleIds.BreakingDrop,
            "BreakingDrop",
            "DROP TABLE or DROP COLUMN that the application version still running may use",
            "During a rolling deploy the old version of the application keeps running against the new schema: its queries on what was dropped fail.",
            "Expand and contract: release an application version that no longer reads or writes it, then drop it in a later migration. " +
            "In a folder with deploy phases, put the drop in a post migration (-- migrationkit:phase post), which runs after the rollout."),
        new(
            LintRuleIds.BreakingRename,
            "BreakingRename",
            "RENAME of a table or column",
            "During a rolling deploy the old version of the application keeps running against the new schema: its queries still use the old name and fail.",
            "Expand and contract: add the new column (or table), have the application write both and fill it, switch reads to the new name, and drop the old one in a later release. " +
            "For a table, a view with the old name can bridge the rollout."),
        new(
            LintRuleIds.UnboundedDataChange,
            "UnboundedDataChange",
            "UPDATE or DELETE without WHERE on an existing table in a transactional migration",
            "The statement changes every row in one transaction: it holds a lock on each row until the migration commits, so writes to any of them wait, and it leaves a dead copy of every row behind.",
            "Change the rows in batches that each commit: in a migration that runs outside a transaction (-- migrationkit:no-transaction), one UPDATE … WHERE id BETWEEN … per batch, or CALL a procedure that COMMITs after each batch; or run the backfill as a job outside the migrations."),
        new(
            LintRuleIds.NonIdempotentOutsideTransaction,
            "NonIdempotentOutsideTransaction",
            "CREATE or DROP without IF [NOT] EXISTS in a migration that runs outside a transaction",
            "Outside a transaction, a failure leaves the statements before it applied; when the migration runs again, this statement fails on what the first attempt created or dropped.",
            "Write CREATE … IF NOT EXISTS (or CREATE OR REPLACE) and DROP … IF EXISTS, so that the migration can run again after it failed half way. " +
            "For CREATE INDEX CONCURRENTLY, put DROP INDEX CONCURRENTLY IF EXISTS before it: a failed build leaves an INVALID index that IF NOT EXISTS would keep."),
        new(
            LintRuleIds.SuppressionMissingReason,
            "SuppressionMissingReason",
            "A -- migrationkit:allow comment without a reason",
            "A suppression tells the next reader that a finding was judged safe; without the reason, nobody can check the judgement later.",
            "Say why after the rule id: -- migrationkit:allow breaking-drop nothing has read this column since release 4.2"),
        new(
            LintRuleIds.SuppressionUnused,
            "SuppressionUnused",
            "A -- migrationkit:allow comment that suppresses nothing",
            "The rule it names did not find anything where it applies, or no rule has that id: the comment is stale or misplaced.",
            "Put it on the line right above the statement it is meant for (or in the comments at the top of the file, followed by a blank line, for the whole file), check the rule id, or remove it."),
        new(
            LintRuleIds.IgnoredDirective,
            "IgnoredDirective",
            "A -- migrationkit: comment that has no effect",
            "MigrationKit reads directives only in the comment lines before the first statement of an up script, and only the ones it knows: anything else is ignored, silently at run time.",
            "Put directives in the comment lines before the first statement: -- migrationkit:no-transaction and -- migrationkit:phase pre|post; suppressions read -- migrationkit:allow <rule-id> <reason>."),
    ];

    private static readonly Dictionary<string, LintRule> ById = All.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);

    /// <summary>Finds a rule by id, ignoring case.</summary>
    /// <param name="id">The rule's id.</param>
    /// <returns>The rule, or <see langword="null"/> when there is none of that id.</returns>
    public static LintRule? Find(string id) => ById.GetValueOrDefault(id);
}
