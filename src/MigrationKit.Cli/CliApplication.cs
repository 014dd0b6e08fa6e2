using System.CommandLine;
using System.CommandLine.Invocation;
using MigrationKit.Cli.Commands;
using MigrationKit.Cli.Output;
using Npgsql;

namespace MigrationKit.Cli;

/// <summary>
/// The <c>migrationkit</c> command line: parses, runs one command, and turns every outcome into an exit code
/// (0 done, 1 failed, 2 usage error, 130 interrupted) and messages on standard error.
/// </summary>
internal static class CliApplication
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliEnvironment env, Interruption interruption)
    {
        Command root = Build(env, interruption);
        ParseResult parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            var paint = new Painter(env.UsesColor(env.IsErrorTerminal));
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                await env.Error.WriteLineAsync(paint.Red("error: ") + error.Message);
            }

            string command = parse.CommandResult.Command == root ? "migrationkit" : $"migrationkit {parse.CommandResult.Command.Name}";
            await env.Error.WriteLineAsync($"Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = env.Out,
            Error = env.Error,
            EnableDefaultExceptionHandler = false,

            // Signals are handled by Interruption, which lets the engine roll back before the process ends.
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(invocation, interruption.Token);
    }

    /// <summary>
    /// The command tree. Its root is named <c>migrationkit</c> whatever the executable is called (the dotnet tool runs
    /// as MigrationKit.Cli.dll), so help reads as the command users type.
    /// </summary>
    private static Command Build(CliEnvironment env, Interruption interruption)
    {
        var options = new GlobalOptions();
        var root = new Command(
            "migrationkit",
            "Runs PostgreSQL schema migrations from a folder of golang-migrate style SQL files " +
            "({version}_{description}.up.sql / .down.sql). Exit codes: 0 done, 1 failed, 2 usage error, 3 dirty and 4 pending (status), 130 interrupted.");
        root.Add(new System.CommandLine.Help.HelpOption());
        root.Add(new VersionOption());
        options.AddTo(root);

        void Bind(Command command, Func<CommandContext, CancellationToken, Task<int>> action) =>
            command.SetAction(async (parse, cancellationToken) =>
            {
                await using var context = new CommandContext(parse, options, env, interruption);
                return await ExecuteAsync(context, action, cancellationToken);
            });

        root.Add(CreateCommand.Create(Bind));
        root.Add(MigrateCommands.Up(Bind));
        root.Add(MigrateCommands.Down(Bind));
        root.Add(MigrateCommands.Goto(Bind));
        root.Add(HistoryCommands.Force(Bind));
        root.Add(HistoryCommands.Baseline(Bind));
        root.Add(StatusCommand.Create(Bind));
        root.Add(ValidateCommand.Create(Bind));
        root.Add(VerifyCommand.Create(Bind));
        root.Add(PlanCommand.Create(Bind));
        root.Add(HistoryCommands.Repair(Bind));
        root.Add(LintCommand.Create(Bind));
        root.Add(HistoryCommands.Drop(Bind));
        root.Add(HelpCommand(root));
        return root;
    }

    /// <summary><c>migrationkit help [command]</c>: the same text as <c>--help</c>.</summary>
    private static Command HelpCommand(Command root)
    {
        var name = new Argument<string?>("command") { Description = "The command to describe.", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Show help for migrationkit or one of its commands.") { name };
        help.SetAction((parse, cancellationToken) =>
        {
            string? command = parse.GetValue(name);
            string[] args = command is null ? ["--help"] : [command, "--help"];
            return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = parse.InvocationConfiguration.Output, Error = parse.InvocationConfiguration.Error }, cancellationToken);
        });
        return help;
    }

    private static async Task<int> ExecuteAsync(CommandContext context, Func<CommandContext, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        CliLog log = context.Log;
        Painter paint = context.ErrorPaint;
        try
        {
            return await action(context, cancellationToken);
        }
        catch (Exception) when (context.Interruption.Token.IsCancellationRequested)
        {
            log.Error(paint.Yellow("Interrupted") + ": " + InterruptedMessage(context));
            return context.Interruption.ExitCode;
        }
        catch (CliUsageException ex)
        {
            log.Error(paint.Red("error: ") + ex.Message);
            return ExitCodes.Usage;
        }
        catch (MigrationFailedException ex)
        {
            // A compiler-style first line (file:line:col: error SQLSTATE: server message), then the full explanation.
            string where = ex.Line is { } line ? $"{ex.Origin}:{line}:{ex.Column ?? 1}" : ex.Origin;
            string what = ex.InnerException is PostgresException server ? $"{server.SqlState}: {server.MessageText}" : ex.IsConnectionLost ? "connection lost" : "failed";
            log.Error($"{where}: {paint.Red("error")} {what}");
            log.Error(ex.Message);
            WriteCauses(context, ex);
            return ExitCodes.Failed;
        }
        catch (MigrationException ex)
        {
            log.Error(paint.Red("error: ") + ex.Message);
            WriteCauses(context, ex);
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.Error(paint.Red("error: ") + ex.Message);
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            log.Error(paint.Red("error: ") + $"unexpected {ex.GetType().Name}: {ex.Message}");
            log.Debug(ex.ToString());
            return ExitCodes.Failed;
        }
    }

    private static string InterruptedMessage(CommandContext context)
    {
        CliLog log = context.Log;
        string completed = log.Completed > 0 ? $" {Formats.Count(log.Completed, "script")} completed before it and stay{(log.Completed == 1 ? "s" : string.Empty)} done." : string.Empty;
        if (!context.RunsScripts)
        {
            return "nothing was changed.";
        }

        if (log.Running is { } version && log.RunningOutsideTransaction)
        {
            return $"version {Formats.Number(version)} was running outside a transaction, so the statements before the interrupted one stay and the database is dirty at version {Formats.Number(version)}. " +
                $"Check the schema, finish or undo that migration by hand, then run force with the version it is really at.{completed}";
        }

        if (log.Running is { } rolledBack)
        {
            return $"version {Formats.Number(rolledBack)} was rolled back and the migration lock released.{completed} Run status to see where the database stands.";
        }

        return $"no script was running when it stopped.{completed} Run status to see where the database stands.";
    }

    private static void WriteCauses(CommandContext context, Exception exception)
    {
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            context.Log.Debug($"caused by {inner.GetType().Name}: {inner.Message}");
        }
    }
}
