using System.CommandLine;
using System.Text;
using MigrationKit.Cli.Output;

namespace MigrationKit.Cli.Commands;

/// <summary><c>plan</c>: what <c>up</c> (or <c>goto</c>) would run, checked as a run checks it, without running it.</summary>
internal static class PlanCommand
{
    public static Command Create(CommandBinder bind)
    {
        var target = new Option<long?>("--target")
        {
            Description = "Plan a goto to this version instead of up to the newest.",
            HelpName = "version",
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
                if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long version)
                    && version >= MigrationVersion.None)
                {
                    return version;
                }

                result.AddError($"The target version must be a whole number of at least 0, or -1 for none, not '{text}'.");
                return null;
            },
        };
        var sql = new Option<bool>("--sql") { Description = "Print each script's SQL after the plan." };
        var command = new Command("plan", "Show what up would run (or goto, with --target), without running it.") { target, sql };
        bind(command, async (context, cancellationToken) =>
        {
            var (runner, _, database) = context.CreateRunner();
            MigrationPlan plan = await runner.PlanAsync(context.Parse.GetValue(target), cancellationToken);
            foreach (ValidationProblem warning in plan.Warnings)
            {
                context.Log.Error(context.ErrorPaint.Yellow("warning: ") + warning);
            }

            context.Log.Out(ToText(plan, database.ToString(), context.Parse.GetValue(sql), context.OutPaint));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string ToText(MigrationPlan plan, string database, bool withSql, Painter paint)
    {
        var text = new StringBuilder();
        if (plan.AdoptsGolangMigrateHistory)
        {
            text.AppendLine(paint.Yellow(
                $"The history table is golang-migrate's, at version {Formats.Number(plan.CurrentVersion)}: the run first adopts it (upgrades it in place, recording " +
                "every version of the folder up to it as applied); golang-migrate must not run on it afterwards."));
        }

        if (plan.IsEmpty)
        {
            return text.Append($"Nothing to run: {database} is at version {Formats.Number(plan.CurrentVersion)}.").ToString();
        }

        text.AppendLine(paint.Bold(Formats.Capitalise(
            $"{database}: version {Formats.Number(plan.CurrentVersion)} to {Formats.Number(plan.TargetVersion)}, {Formats.Count(plan.Steps.Count, "script")}:")));
        int width = plan.Steps.Max(s => Formats.Number(s.Version).Length);
        int descriptionWidth = plan.Steps.Max(s => s.Description.Length);
        foreach (PlannedMigration step in plan.Steps)
        {
            string direction = step.Direction == MigrationDirection.Up ? paint.Cyan("up  ") : paint.Magenta("down");
            text.Append($"  {direction} {Formats.Number(step.Version).PadLeft(width)} {step.Description.PadRight(descriptionWidth)}  {paint.Dim(step.Script.Origin)}");
            if (step.Script.OutsideTransactionReason is { } reason)
            {
                text.Append(paint.Yellow($"  outside a transaction: {reason}"));
            }

            text.AppendLine();
        }

        if (withSql)
        {
            foreach (PlannedMigration step in plan.Steps)
            {
                text.AppendLine();
                text.AppendLine(paint.Dim($"-- {(step.Direction == MigrationDirection.Up ? "up" : "down")} {Formats.Number(step.Version)} {step.Description}: {step.Script.Origin}"));
                text.AppendLine(step.Script.Sql.TrimEnd());
            }
        }

        return text.ToString().TrimEnd();
    }
}
