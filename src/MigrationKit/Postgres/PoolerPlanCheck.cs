using MigrationKit.Sql;

namespace MigrationKit.Postgres;

/// <summary>
/// The plan checks of a pooled connection (PgBouncer in transaction mode or alike): what a script outside a
/// transaction cannot be given there.
/// </summary>
internal static class PoolerPlanCheck
{
    /// <summary>
    /// Behind a pooler, a script outside a transaction runs statement by statement, each possibly on another server
    /// connection: a setting cannot follow it there without staying behind for other clients. Such plans are refused
    /// before anything runs, saying what works instead.
    /// </summary>
    public static void Check(PostgresTopology? topology, SessionSettings settings, IReadOnlyList<PlannedMigration> steps, ICollection<ValidationProblem> problems)
    {
        if (topology is not { IsPooled: true })
        {
            return;
        }

        foreach (PlannedMigration step in steps.Where(s => s.Script.RunsOutsideTransaction))
        {
            if (settings.HasTimeouts)
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.PoolerIncompatible,
                    ValidationSeverity.Error,
                    $"Version {step.Version} runs outside a transaction, and {nameof(MigrationOptions.StatementTimeout)} or {nameof(MigrationOptions.DdlLockTimeout)} is set. " +
                    "This connection goes through a pooler (PgBouncer in transaction mode or alike), where a statement outside a transaction may run on any server connection: " +
                    "MigrationKit cannot give it a timeout without leaving the setting on a pooled connection for other clients. Leave those options unset for this run " +
                    "(or set the timeouts on the migration role: ALTER ROLE … SET statement_timeout = …), or run it over a direct connection to the server.")
                {
                    Version = step.Version,
                    Origin = step.Script.Origin,
                });
            }

            if (settings.HasSearchPath)
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.PoolerIncompatible,
                    ValidationSeverity.Error,
                    $"Version {step.Version} runs outside a transaction, and {nameof(MigrationOptions.SetSearchPath)} is set (a fleet's schema targets set it). " +
                    "This connection goes through a pooler (PgBouncer in transaction mode or alike), where a statement outside a transaction may run on any server connection: " +
                    "MigrationKit cannot give it the schema's search path without leaving the setting on a pooled connection for other clients. Run it over a direct " +
                    "connection to the server, or migrate with SetSearchPath off and the names of this script qualified with ${schema}.")
                {
                    Version = step.Version,
                    Origin = step.Script.Origin,
                });
            }

            if (SessionStatements.FindFirst(step.Script.Parsed) is { } statement)
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.PoolerIncompatible,
                    ValidationSeverity.Error,
                    $"Version {step.Version} runs outside a transaction and changes the session ({Shorten(statement.Text)}). This connection goes through a pooler (PgBouncer in " +
                    "transaction mode or alike), where each statement outside a transaction may run on another server connection: the change would not reach the statements " +
                    "after it, and would stay behind on a pooled connection for other clients. Run this migration over a direct connection to the server, or move the " +
                    "setting into the statements that need it.")
                {
                    Version = step.Version,
                    Origin = step.Script.Origin,
                    Line = statement.Position.Line,
                    Column = statement.Position.Column,
                });
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
