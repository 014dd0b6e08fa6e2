using MigrationKit.Linting;

namespace MigrationKit;

/// <summary>
/// Brings a database to a version: the operations golang-migrate users know (up, down, goto, force, status,
/// validate) and a dry run.
/// </summary>
public interface IMigrationRunner
{
    /// <summary>Applies every pending migration, in version order.</summary>
    /// <param name="cancellationToken">Cancels the run; the migration in progress is rolled back and the lock released.</param>
    /// <returns>What ran.</returns>
    Task<MigrationReport> UpAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the pending migrations of one deploy phase: <see cref="MigrationPhase.Pre"/> before the new version of the
    /// app rolls out (the hosted service does this at start-up), <see cref="MigrationPhase.Post"/> once every replica
    /// runs it (migrations whose up script starts with <c>-- migrationkit:phase post</c>). A pending post-deployment
    /// migration does not hold back newer pre-deployment ones.
    /// </summary>
    /// <param name="phase">The phase to apply.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What ran.</returns>
    Task<MigrationReport> UpAsync(MigrationPhase phase, CancellationToken cancellationToken = default);

    /// <summary>Applies the next <paramref name="steps"/> pending migrations.</summary>
    /// <param name="steps">How many; at least 1.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What ran.</returns>
    Task<MigrationReport> UpAsync(int steps, CancellationToken cancellationToken = default);

    /// <summary>Reverts the newest <paramref name="steps"/> applied migrations, newest first.</summary>
    /// <param name="steps">How many; at least 1. <see cref="int.MaxValue"/> reverts all.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What ran.</returns>
    Task<MigrationReport> DownAsync(int steps, CancellationToken cancellationToken = default);

    /// <summary>Migrates up or down to exactly <paramref name="version"/>.</summary>
    /// <param name="version">A version of the source, or <see cref="MigrationVersion.None"/> (-1) to revert everything.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What ran.</returns>
    Task<MigrationReport> GotoAsync(long version, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the schema is at <paramref name="version"/> without running anything: the way out of a dirty
    /// database once it has been repaired by hand. Afterwards every source version up to it counts as applied (those
    /// without a row are recorded as forced, as status shows) and nothing above it; every dirty flag is cleared.
    /// </summary>
    /// <param name="version">A version of the source, or <see cref="MigrationVersion.None"/> (-1, golang-migrate's <c>force -1</c>) for none.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the history is updated.</returns>
    Task ForceAsync(long version, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adopts an existing schema: records every migration up to <paramref name="version"/> as applied without
    /// running it. The history must be empty.
    /// </summary>
    /// <param name="version">A version of the source.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the history is recorded.</returns>
    Task BaselineAsync(long version, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-records the checksum of every applied version whose up script changed since (Flyway's repair): for an edit
    /// made on purpose that changes nothing the migration did, such as a comment or whitespace. Runs no script.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The versions whose checksum was re-recorded.</returns>
    Task<RepairReport> RepairAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops every object of the target schema, the history included, keeping the schema and its grants.
    /// Refuses unless <see cref="MigrationOptions.AllowDrop"/> is <see langword="true"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is empty.</returns>
    Task DropAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads where the database stands against the source.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The status.</returns>
    Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks the source and, where it can be reached, the database; reports every problem at once, lint findings
    /// included (<see cref="ValidationCode.LintFinding"/>, with the rule in <see cref="ValidationProblem.RuleId"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <returns>
    /// The report; <see cref="ValidationReport.IsValid"/> tells whether anything blocks a run or a lint rule
    /// configured as an error fired.
    /// </returns>
    Task<ValidationReport> ValidateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Lints every migration of the source, each in the context of the ones before it (taken to be applied), with
    /// the database's server version (unless <see cref="MigrationLintOptions.ServerVersion"/> is set) and the
    /// estimated size of each table a finding names. Nothing is changed or locked.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The findings; <see cref="LintReport.HasErrors"/> tells whether a rule configured as an error fired.</returns>
    Task<LintReport> LintAsync(CancellationToken cancellationToken = default);

    /// <summary>Computes what <see cref="UpAsync(CancellationToken)"/> or <see cref="GotoAsync"/> would run, without running it.</summary>
    /// <param name="targetVersion">The version to reach, <see cref="MigrationVersion.None"/> for none, or <see langword="null"/> for the newest.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="MigrationValidationException">The plan could not run as it stands.</exception>
    Task<MigrationPlan> PlanAsync(long? targetVersion, CancellationToken cancellationToken = default);
}
