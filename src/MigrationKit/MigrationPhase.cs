namespace MigrationKit;

/// <summary>
/// When a migration runs in a deploy: before the new application version rolls out (expand) or after every
/// replica runs it (contract). Set by <c>-- migrationkit:phase post</c> in the comment lines before the first
/// statement of the up script; a migration without it is <see cref="Pre"/>.
/// </summary>
public enum MigrationPhase
{
    /// <summary>
    /// An expand step (the default): it runs before the new version of the application starts, so the old version,
    /// still running, must keep working on the schema it leaves.
    /// </summary>
    Pre = 0,

    /// <summary>
    /// A contract step, marked <c>-- migrationkit:phase post</c>: it runs once no replica runs the old version any
    /// more, so it may drop what only the old version used.
    /// </summary>
    Post = 1,
}
