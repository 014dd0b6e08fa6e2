namespace MigrationKit;

/// <summary>What kind of problem validation found. The names are stable; tools may rely on them.</summary>
public enum ValidationCode
{
    /// <summary>A <c>.sql</c> file whose name is not <c>{version}_{description}.{up|down}.sql</c>, or whose version is out of range.</summary>
    InvalidFileName = 0,

    /// <summary>Two scripts for the same version and direction, or two descriptions for one version.</summary>
    DuplicateVersion = 1,

    /// <summary>A down script without an up script: read as an empty up script, as golang-migrate reads it (a warning).</summary>
    MissingUpScript = 2,

    /// <summary>A migration without a down script (an error when <see cref="MigrationOptions.RequireDownScripts"/> is set).</summary>
    MissingDownScript = 3,

    /// <summary>Versions that are not 1, 2, 3, … (only checked when <see cref="MigrationOptions.RequireSequentialVersions"/> is set).</summary>
    VersionGap = 4,

    /// <summary>A script that holds no statement.</summary>
    EmptyScript = 5,

    /// <summary>A script the lexer cannot read to its end: an unterminated string, identifier or comment.</summary>
    SyntaxError = 6,

    /// <summary>A script that will run outside a transaction, statement by statement.</summary>
    RunsOutsideTransaction = 7,

    /// <summary>A script that cannot be read: an I/O error, or text that is not valid UTF-8.</summary>
    UnreadableScript = 8,

    /// <summary>An applied up script whose text changed since it was applied.</summary>
    ChecksumDrift = 9,

    /// <summary>An applied version that is not in the source, below the source's newest version.</summary>
    MissingFromSource = 10,

    /// <summary>An applied version newer than anything in the source: the database is ahead of this build.</summary>
    FutureVersion = 11,

    /// <summary>A dirty history row: a script outside a transaction was interrupted or failed.</summary>
    Dirty = 12,

    /// <summary>A pending version lower than the newest applied one.</summary>
    OutOfOrder = 13,

    /// <summary>A source that holds no migration (allowed only with <see cref="MigrationOptions.AllowEmptySource"/>).</summary>
    EmptySource = 14,

    /// <summary>A plan this connection cannot run as written: behind a transaction pooler, a script outside a transaction that needs session settings.</summary>
    PoolerIncompatible = 15,

    /// <summary>A version whose up and down files carry different descriptions; the up file's is used.</summary>
    DescriptionMismatch = 16,

    /// <summary>The history table is golang-migrate's, read as it is and adopted by the next run that writes.</summary>
    GolangMigrateHistory = 17,

    /// <summary>
    /// A lint finding (see <see cref="Linting.MigrationLinter"/>): <see cref="ValidationProblem.RuleId"/> names the
    /// rule. A warning unless <see cref="Linting.MigrationLintOptions.Rules"/> makes the rule an error.
    /// </summary>
    LintFinding = 18,

    /// <summary>
    /// A psql meta-command (<c>\set</c>, <c>\i</c>, <c>\connect</c>, ...) in a script: a command of psql, not SQL, which
    /// MigrationKit never sends; the script cannot run as written.
    /// </summary>
    PsqlMetaCommand = 19,

    /// <summary>A <c>${name}</c> placeholder in a script that is neither built in (<c>${schema}</c>) nor given in <see cref="MigrationOptions.Placeholders"/>.</summary>
    UnknownPlaceholder = 20,

    /// <summary>A placeholder whose value cannot go where it stands: it would end the dollar-quoted body it is in.</summary>
    InvalidPlaceholderValue = 21,
}
