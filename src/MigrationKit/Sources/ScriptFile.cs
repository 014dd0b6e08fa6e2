namespace MigrationKit.Sources;

/// <summary>One script as a source sees it: its file name (for parsing), its origin (for messages), and how to open it.</summary>
/// <param name="FileName">The bare file name, such as <c>001_create_projects_table.up.sql</c>.</param>
/// <param name="Origin">The path or resource name used in messages.</param>
/// <param name="Open">Opens the raw bytes for reading; the caller disposes the stream.</param>
internal readonly record struct ScriptFile(string FileName, string Origin, Func<Stream> Open);
