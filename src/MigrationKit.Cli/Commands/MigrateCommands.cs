using System.CommandLine;
using MigrationKit.Cli.Output;

namespace MigrationKit.Cli.Commands;

/// <summary><c>up</c>, <c>down</c> and <c>goto</c>: the commands that run scripts.</summary>
internal static class MigrateCommands
{
    public static Command Up(CommandBinder bind)
    {
        Argument<int?> count = Arguments.Count("How many pending migrations to apply. Default: all of them.");
        var phase = new Option<MigrationPhase?>("--phase")
        {
            Description = "Apply only the pre-deployment migrations (pre: what the app's start-up applies) or only the post-deployment ones " +
                "(post: migrations marked -- migrationkit:phase post, once every replica runs the new version). Default: both.",
            HelpName = "pre|post",
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
                if (text.Equals("pre", StringComparison.OrdinalIgnoreCase))
                {
                    return MigrationPhase.Pre;
                }

                if (text.Equals("post", StringComparison.OrdinalIgnoreCase))
                {
                    return MigrationPhase.Post;
                }

                result.AddError($"--phase must be pre or post, not '{text}'.");
                return null;
            },
        };
        var fleet = new FleetArguments(forUp: true);
        var json = new Option<bool>("--json") { Description = "With a fleet: write the whole report as JSON, for machines." };
        var command = new Command("up", "Apply pending migrations, oldest first; to one database, or to a fleet (--databases, --schemas, --targets) with one report.") { count, phase, json };
        fleet.AddTo(command);
        bind(command, async (context, cancellationToken) =>
        {
            if (fleet.IsFleet(context.Parse))
            {
                if (context.Parse.GetValue(count) is not null)
                {
                    throw new CliUsageException("A fleet applies every pending migration to each target; the count is for one database.");
                }

                if (context.Parse.GetValue(phase) is not null)
                {
                    throw new CliUsageException("A fleet applies every pending migration to each target; --phase is for one database.");
                }

                return await FleetCommands.UpAsync(context, fleet, context.Parse.GetValue(json), cancellationToken);
            }

            if (context.Parse.GetValue(json))
            {
                throw new CliUsageException("up --json writes a fleet's report: add --databases PATTERN, --schemas PATTERN or --targets FILE.");
            }

            var (runner, _, _) = context.CreateRunner();
            context.RunsScripts = true;
            int? steps = context.Parse.GetValue(count);
            MigrationPhase? only = context.Parse.GetValue(phase);
            if (steps is not null && only is not null)
            {
                throw new CliUsageException("up takes a count or --phase, not both.");
            }

            MigrationReport report = steps is { } n ? await runner.UpAsync(n, cancellationToken)
                : only is { } p ? await runner.UpAsync(p, cancellationToken)
                : await runner.UpAsync(cancellationToken);
            Summarise(context, report);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Down(CommandBinder bind)
    {
        Argument<int?> count = Arguments.Count("How many applied migrations to revert, newest first. Default: all of them, after a question.");
        var yes = new Option<bool>("--yes", "-y") { Description = "Revert all without asking." };
        var command = new Command("down", "Revert applied migrations, newest first.") { count, yes };
        bind(command, async (context, cancellationToken) =>
        {
            var (runner, store, database) = context.CreateRunner();
            if (context.Parse.GetValue(count) is { } steps)
            {
                context.RunsScripts = true;
                Summarise(context, await runner.DownAsync(steps, cancellationToken));
                return ExitCodes.Success;
            }

            MigrationPlan plan = await runner.PlanAsync(MigrationVersion.None, cancellationToken);
            if (plan.IsEmpty)
            {
                context.Log.Out($"Nothing to revert: no migration of {store.HistoryTable} is applied in {database}.");
                return ExitCodes.Success;
            }

            if (!context.Parse.GetValue(yes)
                && !await context.ConfirmAsync(
                    $"This reverts all {Formats.Count(plan.Steps.Count, "applied migration")} of {database} (version {Formats.Number(plan.CurrentVersion)} down to none), running their down scripts, newest first.",
                    cancellationToken))
            {
                return ExitCodes.Failed;
            }

            context.RunsScripts = true;
            Summarise(context, await runner.DownAsync(int.MaxValue, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Goto(CommandBinder bind)
    {
        Argument<long> version = Arguments.Version("The version to reach, up or down; -1 reverts everything (0 is a version).", minimum: MigrationVersion.None);
        var command = new Command("goto", "Migrate up or down to exactly one version.") { version };
        bind(command, async (context, cancellationToken) =>
        {
            var (runner, _, _) = context.CreateRunner();
            context.RunsScripts = true;
            Summarise(context, await runner.GotoAsync(context.Parse.GetValue(version), cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Summarise(CommandContext context, MigrationReport report)
    {
        if (report.Executed.Count == 0)
        {
            context.Log.Out($"Nothing to do: the database is at version {Formats.Number(report.EndVersion)}.");
            return;
        }

        int up = report.Executed.Count(e => e.Direction == MigrationDirection.Up);
        int down = report.Executed.Count - up;
        var parts = new List<string>(2);
        if (up > 0)
        {
            parts.Add($"{Formats.Count(up, "migration")} applied");
        }

        if (down > 0)
        {
            parts.Add($"{Formats.Count(down, "migration")} reverted");
        }

        context.Log.Out(context.OutPaint.Bold($"Now at version {Formats.Number(report.EndVersion)}") +
            $" (was {Formats.Number(report.StartVersion)}): {string.Join(", ", parts)} in {Formats.Duration(report.Duration)}.");
    }
}
