using System.CommandLine;
using MigrationKit.Cli.Output;

namespace MigrationKit.Cli.Commands;

/// <summary><c>force</c>, <c>baseline</c> and <c>drop</c>: the commands that change the history without running migrations.</summary>
internal static class HistoryCommands
{
    public static Command Force(CommandBinder bind)
    {
        Argument<long> version = Arguments.Version("The version the schema is really at; -1 for none (0 is a version), as in golang-migrate.", minimum: MigrationVersion.None);
        var command = new Command(
            "force",
            "Record that the schema is at a version without running anything: the way out of a dirty database, once it is repaired by hand. " +
            "Afterwards every version of the folder up to it counts as applied (those not recorded are recorded as forced) and none above it.")
        {
            version,
        };
        bind(command, async (context, cancellationToken) =>
        {
            var (runner, store, _) = context.CreateRunner();
            long target = context.Parse.GetValue(version);
            await runner.ForceAsync(target, cancellationToken);
            context.Log.Out(target == MigrationVersion.None
                ? $"Forced {store.HistoryTable} to no version: every row deleted, no script run."
                : $"Forced {store.HistoryTable} to version {Formats.Number(target)}: every version of the folder up to it counts as applied (recorded as forced where it was not recorded), rows above it deleted, dirty flags cleared, no script run.");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Baseline(CommandBinder bind)
    {
        Argument<long> version = Arguments.Version("The newest version the existing schema already has.", minimum: 0);
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

    public static Command Repair(CommandBinder bind)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Repair without asking (required when standard input is not a terminal)." };
        var command = new Command(
            "repair",
            "Re-record the checksums of applied migrations whose up script was edited since (a comment, whitespace), so runs stop refusing them as drifted. " +
            "Runs no script; lists each version it changes.")
        {
            yes,
        };
        bind(command, async (context, cancellationToken) =>
        {
            var (runner, store, database) = context.CreateRunner();
            MigrationStatus status = await runner.GetStatusAsync(cancellationToken);
            if (status.Drifted.Count == 0)
            {
                context.Log.Out($"Nothing to repair: every applied script of {database} matches its recorded checksum.");
                return ExitCodes.Success;
            }

            foreach (MigrationStatusEntry drifted in status.Drifted)
            {
                context.Log.Error($"  {Formats.Number(drifted.Version)} {drifted.Description}: {drifted.Migration!.Up.Origin} changed since it was applied");
            }

            if (!context.Parse.GetValue(yes))
            {
                if (!context.Env.IsInputTerminal)
                {
                    throw new CliUsageException(
                        $"repair would re-record the checksum of {Formats.Count(status.Drifted.Count, "version")} (listed above); standard input is not a terminal, so pass --yes to confirm.");
                }

                if (!await context.ConfirmAsync(
                    $"This re-records the checksum of {Formats.Count(status.Drifted.Count, "applied migration")} of {store.HistoryTable} in {database}, listed above. " +
                    "Do it only for edits that change nothing the migration did.",
                    cancellationToken))
                {
                    return ExitCodes.Failed;
                }
            }

            RepairReport report = await runner.RepairAsync(cancellationToken);
            foreach (RepairedMigration repaired in report.Repaired)
            {
                context.Log.Out($"Repaired {Formats.Number(repaired.Version)} {repaired.Description}: checksum {repaired.OldChecksum[..12]}… is now {repaired.NewChecksum[..12]}… ({repaired.Origin}).");
            }

            context.Log.Out($"Repaired {Formats.Count(report.Repaired.Count, "version")} of {store.HistoryTable}; no script ran.");
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
            var (runner, _, database) = context.CreateRunner(allowDrop: true, readsSource: false);
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
