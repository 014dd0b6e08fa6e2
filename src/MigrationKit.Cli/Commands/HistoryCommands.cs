using System.CommandLine;
using MigrationKit.Cli.Output;

namespace MigrationKit.Cli.Commands;

/// <summary><c>force</c>, <c>baseline</c> and <c>drop</c>: the commands that change the history without running migrations.</summary>
internal static class HistoryCommands
{
    public static Command Force(CommandBinder bind)
    {
        Argument<long> version = Arguments.Version("The version the schema is really at; 0 for none.", minimum: 0);
        var command = new Command(
            "force",
            "Record that the schema is at a version without running anything: the way out of a dirty database, once it is repaired by hand.")
        {
            version,
        };
        bind(command, async (context, cancellationToken) =>
        {
            var (runner, store, _) = context.CreateRunner();
            long target = context.Parse.GetValue(version);
            await runner.ForceAsync(target, cancellationToken);
            context.Log.Out($"Forced {store.HistoryTable} to version {Formats.Number(target)}: rows above it deleted, dirty flags cleared, no script run.");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Baseline(CommandBinder bind)
    {
        Argument<long> version = Arguments.Version("The newest version the existing schema already has.", minimum: 1);
        var command = new Command(
            "baseline",
            "Adopt an existing schema: record every migration up to a version as applied without running it. The history must be empty.")
        {
            version,
        };
        bind(command, async (context, cancellationToken) =>
        {
            var (runner, store, _) = context.CreateRunner();
            long target = context.Parse.GetValue(version);
            await runner.BaselineAsync(target, cancellationToken);
            context.Log.Out($"Baselined {store.HistoryTable} at version {Formats.Number(target)}: the migrations up to it are recorded as applied; none was run.");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Drop(CommandBinder bind)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Drop without asking." };
        var command = new Command(
            "drop",
            "Drop every object of the schema (tables, views, sequences, functions, types, the history table), keeping the schema itself.")
        {
            yes,
        };
        bind(command, async (context, cancellationToken) =>
        {
            // Build the runner first, so a bad URL or option fails before the question.
            var (runner, _, database) = context.CreateRunner(allowDrop: true);
            string schema = context.CreateOptions(database).Schema;
            if (!context.Parse.GetValue(yes)
                && !await context.ConfirmAsync(
                    $"This drops every object of schema \"{schema}\" in {database}: tables and their data, views, sequences, functions, types and the migration history.",
                    cancellationToken))
            {
                return ExitCodes.Failed;
            }

            await runner.DropAsync(cancellationToken);
            context.Log.Out($"Dropped every object of schema \"{schema}\" in {database}, the migration history included.");
            return ExitCodes.Success;
        });
        return command;
    }
}
