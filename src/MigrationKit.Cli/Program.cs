namespace MigrationKit.Cli;

/// <summary>The entry point of <c>migrationkit</c>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var interruption = Interruption.FromSignals();
        return await CliApplication.RunAsync(args, CliEnvironment.FromConsole(), interruption);
    }
}
