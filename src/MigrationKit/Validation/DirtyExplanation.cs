using System.Globalization;

namespace MigrationKit.Validation;

/// <summary>
/// What a dirty row means and how to get out, said once for validation and for the run that refuses: MigrationKit's
/// dirty flag (a script outside a transaction was interrupted or failed) and golang-migrate's (its migration failed).
/// </summary>
internal static class DirtyExplanation
{
    public static string Explain(AppliedMigration dirty, IReadOnlyList<Migration> migrations, IReadOnlyList<string> invalidIndexes)
    {
        Migration? migration = migrations.FirstOrDefault(m => m.Version == dirty.Version);
        long? previous = migrations.Where(m => m.Version < dirty.Version).Select(m => (long?)m.Version).Max();
        string force = (previous ?? MigrationVersion.None).ToString(CultureInfo.InvariantCulture);
        string origin = migration is null ? string.Empty : $" ({migration.Up.Origin})";
        string indexes = string.Concat(invalidIndexes.Select(i =>
            $" The INVALID index {i} was left by a failed CREATE INDEX CONCURRENTLY: drop it (DROP INDEX CONCURRENTLY {i}) before retrying."));

        if (dirty.Kind is HistoryRecordKind.GolangMigrate or HistoryRecordKind.AdoptedFromGolangMigrate)
        {
            string table = dirty.Kind == HistoryRecordKind.GolangMigrate ? " Nothing was changed: the history table is still golang-migrate's." : string.Empty;
            return $"golang-migrate left the database dirty at version {dirty.Version} ({dirty.Description}){origin}: golang-migrate marks a version dirty before it runs " +
                $"that migration's file and clears the flag after, so its migration {dirty.Version} failed or was interrupted. golang-migrate sends a file as one " +
                "multi-statement query, which PostgreSQL runs as one implicit transaction unless the file controls transactions itself, so usually none of it " +
                $"stayed; a file with COMMIT or CREATE INDEX CONCURRENTLY may have run in part.{indexes}{table} Check the schema: if version {dirty.Version} did not " +
                $"apply, run force {force}; if it applied fully, run force {dirty.Version}; then run up again.";
        }

        return $"The database is dirty at version {dirty.Version} ({dirty.Description}){origin}: a script that runs outside a transaction was interrupted or failed, " +
            $"so part of it may have run. Nothing runs until that is resolved.{indexes} Check the schema and finish or undo that migration by hand, then run " +
            $"force {dirty.Version} if it is now fully applied, or force {force} if it is not, and run again.";
    }
}
