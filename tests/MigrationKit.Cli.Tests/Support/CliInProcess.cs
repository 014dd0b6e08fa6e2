namespace MigrationKit.Cli.Tests.Support;

/// <summary>
/// The tool's entry point called in this process, with its streams and environment given: the same parsing, commands
/// and output as the process, without a process start, where a process adds nothing to what a test checks.
/// </summary>
public static class CliInProcess
{
    /// <summary>Runs the tool's entry point here; under the native target (<see cref="CliTarget"/>), the native binary instead.</summary>
    public static async Task<CliResult> RunAsync(CliStart start, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (CliTarget.IsNative)
        {
            if (start.Terminal)
            {
                Assert.Ignore("This test gives the tool a terminal, which only the in-process target can pretend to be: a child process "
                    + "would need a pseudo-terminal, which merges standard output and standard error. The native binary decides "
                    + "colour with the same code (CliEnvironment.UsesColor), and the native target checks that redirected output has none.");
            }

            return await CliProcess.RunAsync(start, args);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var variables = new Dictionary<string, string?>(start.Environment);
        if (start.DatabaseUrl is not null)
        {
            variables["DATABASE_URL"] = start.DatabaseUrl;
        }

        var env = new CliEnvironment
        {
            Out = output,
            Error = error,
            In = new StringReader(start.Input ?? string.Empty),
            IsOutputTerminal = start.Terminal,
            IsErrorTerminal = start.Terminal,
            IsInputTerminal = start.Terminal,
            GetVariable = name => variables.GetValueOrDefault(name),
        };
        using Interruption interruption = Interruption.Manual();
        int exitCode = await CliApplication.RunAsync(args, env, interruption);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
