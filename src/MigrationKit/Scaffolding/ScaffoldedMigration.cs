namespace MigrationKit.Scaffolding;

/// <summary>The two files <see cref="MigrationScaffolder"/> wrote.</summary>
/// <param name="Version">The new migration's version.</param>
/// <param name="Description">The sanitised description, as in the file names.</param>
/// <param name="UpPath">The path of the up script, in the folder as given to the scaffolder.</param>
/// <param name="DownPath">The path of the down script.</param>
public sealed record ScaffoldedMigration(long Version, string Description, string UpPath, string DownPath);
