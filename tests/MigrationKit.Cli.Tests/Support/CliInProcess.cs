namespace MigrationKit.Cli.Tests.Support;

/// <summary>
/// The tool's entry point called in this process, with its streams and environment given: the same parsing, commands
/// and output as the process, without a process start, where a process adds nothing to what a test checks.
/// </summary>
public static class CliInProcess
{
    public static async Task<CliResult> RunAsync(CliStart start, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(start);
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
