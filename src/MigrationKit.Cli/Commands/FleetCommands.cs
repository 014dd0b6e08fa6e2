using MigrationKit.Cli.Output;
using MigrationKit.Fleet;

namespace MigrationKit.Cli.Commands;

/// <summary>
/// <c>up</c> and <c>status</c> over a fleet (<c>--databases</c>, <c>--schemas</c>, <c>--targets</c>): every target in
/// one command, one report. Exit codes: <c>up</c> 0 when every target succeeded, 1 when any did not; <c>status</c> 0,
/// 1 when a target is unreachable, 3 when one is dirty, 4 (with <c>--exit-code</c>) when one is behind.
/// </summary>
internal static class FleetCommands
{
    public static async Task<int> UpAsync(CommandContext context, FleetArguments fleet, bool json, CancellationToken cancellationToken)
    {
        (IReadOnlyList<FleetTarget> targets, string from) = await fleet.FindTargetsAsync(context, cancellationToken);
        if (targets.Count == 0)
        {
            context.Log.Error(context.ErrorPaint.Red("error: ") + $"No targets: {from} holds none. Nothing was done; check the pattern or the file.");
            return ExitCodes.Failed;
        }

        FleetOptions options = fleet.CreateOptions(context.Parse);
        var display = json ? null : new FleetProgressDisplay(context.Env, context.OutPaint, live: context.Env.IsOutputTerminal);
        options.Progress = display;
        FleetRunner runner = CreateRunner(context, options);
        if (!json)
        {
            context.Log.Out(context.OutPaint.Bold($"Migrating {Formats.Count(targets.Count, "target")}") + $" ({from}) from {context.Source}.");
        }

        context.RunsScripts = true;
        FleetReport report = await runner.UpAsync(targets, cancellationToken);
        display?.Finish();
        if (json)
        {
            context.Log.Out(FleetJsonContext.Write(report));
        }
        else
        {
            context.Log.Out(FleetText.Summary(report, context.OutPaint));
        }

        foreach (FleetTargetResult failed in report.Targets.Where(t => t.Failure is not null))
        {
            // Compiler style on standard error (target: file:line:column: error SQLSTATE: message), then the full
            // explanation: what failed where, what state the target is left in, what to do.
            FleetFailure failure = failed.Failure!;
            context.Log.Error($"{FleetText.Name(failed.Target, failed.Schema, targets.Any(t => t.Schema is not null))}: {FleetText.Where(failure)}: {context.ErrorPaint.Red("error")} {FleetText.Brief(failure)}");
            context.Log.Error("  " + failure.Message.ReplaceLineEndings(Environment.NewLine + "  "));
        }

        if (report.IsCancelled)
        {
            context.Log.Error(context.ErrorPaint.Yellow("Interrupted") + $": {report.Summary.Cancelled} running target(s) rolled back and their locks released; {report.Summary.Skipped} not started. Run again to finish.");
            return context.Interruption.ExitCode;
        }

        return report.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
    }

    public static async Task<int> StatusAsync(CommandContext context, FleetArguments fleet, bool json, bool exitCode, CancellationToken cancellationToken)
    {
        (IReadOnlyList<FleetTarget> targets, string from) = await fleet.FindTargetsAsync(context, cancellationToken);
        if (targets.Count == 0)
        {
            context.Log.Error(context.ErrorPaint.Red("error: ") + $"No targets: {from} holds none; check the pattern or the file.");
            return ExitCodes.Failed;
        }

        FleetRunner runner = CreateRunner(context, fleet.CreateOptions(context.Parse));
        FleetStatus status = await runner.GetStatusAsync(targets, cancellationToken);
        context.Log.Out(json ? FleetJsonContext.Write(status) : Table(status, from, targets.Any(t => t.Schema is not null), context.OutPaint));
        return status.Unreachable.Count > 0 ? ExitCodes.Failed
            : status.Dirty.Count > 0 ? ExitCodes.Dirty
            : exitCode && status.Behind.Count > 0 ? ExitCodes.Pending
            : ExitCodes.Success;
    }

    private static FleetRunner CreateRunner(CommandContext context, FleetOptions options)
    {
        MigrationOptions migrationOptions = context.CreateOptions(context.FindDatabase());
        try
        {
            return new FleetRunner(context.CreateSource(), migrationOptions, options, new VerboseLoggerFactory(context.Log), context.Env.Time);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException(ex.Message.Replace(" (Parameter 'options')", string.Empty, StringComparison.Ordinal) + " (see --schema, --table, --lock-timeout, --placeholder, --parallel, --per-server)");
        }
    }

    private static string Table(FleetStatus status, string from, bool schemaTargets, Painter paint)
    {
        var text = new System.Text.StringBuilder();
        int servers = status.Targets.Select(t => t.Server).Distinct(StringComparer.Ordinal).Count();
        text.AppendLine(paint.Bold($"{Formats.Count(status.Targets.Count, "target")} on {Formats.Count(servers, "server")}") + $" ({from}); the source's newest version is {Formats.Number(status.SourceVersion)}.");
        int width = status.Versions.Select(v => Formats.Number(v.Version).Length).DefaultIfEmpty(4).Max();
        foreach (FleetVersionCount version in status.Versions)
        {
            string label = $"  version {Formats.Number(version.Version).PadLeft(width)}  {Formats.Count(version.Targets, "target")}";
            text.AppendLine(version.Version == status.SourceVersion ? paint.Green(label) : paint.Yellow(label));
        }

        Section(text, "Dirty", status.Dirty, t => $"dirty at version {Formats.Number(t.CurrentVersion)}: force it once the schema is repaired", paint.Red, schemaTargets);
        Section(text, "Behind", status.Behind, t => $"at version {Formats.Number(t.CurrentVersion)}, {Formats.Count(t.Pending, "migration")} pending", paint.Yellow, schemaTargets);
        Section(text, "Unreachable", status.Unreachable, t => t.Error ?? "unreachable", paint.Red, schemaTargets);
        int drifted = status.Targets.Count(t => t.Drifted > 0);
        if (drifted > 0)
        {
            text.AppendLine(paint.Red($"{Formats.Count(drifted, "target")} with drifted scripts (an applied up script was edited since): run validate on one for details."));
        }

        if (status.Dirty.Count + status.Behind.Count + status.Unreachable.Count == 0)
        {
            text.AppendLine(paint.Green("Every target is up to date."));
        }

        return text.ToString().TrimEnd();
    }

    private static void Section(System.Text.StringBuilder text, string title, IReadOnlyList<FleetTargetStatus> targets, Func<FleetTargetStatus, string> describe, Func<string, string> color, bool schemaTargets)
    {
        if (targets.Count == 0)
        {
            return;
        }

        text.AppendLine(color($"{title} ({targets.Count}):"));
        foreach (FleetTargetStatus target in targets)
        {
            text.AppendLine($"  {FleetText.Name(target.Target, target.Schema, schemaTargets)}: {describe(target)}");
        }
    }
}
