namespace MigrationKit.Cli.Tests.Support;

/// <summary>
/// Which build of the tool the suite runs. By default the tool's entry point in this process (<see cref="CliInProcess"/>)
/// and, for what needs a process (signals, standard input, exit codes), <c>dotnet exec MigrationKit.Cli.dll</c>. With
/// <c>MIGRATIONKIT_CLI_TARGET=native</c>, every run is the native binary named by <c>MIGRATIONKIT_CLI_NATIVE</c>
/// (from <c>eng/publish-native.sh</c>), in a process of its own: the same tests, the same expected output and exit codes.
/// </summary>
public static class CliTarget
{
    /// <summary>The variable that chooses the target: <c>native</c>, or unset for the default.</summary>
    public const string TargetVariable = "MIGRATIONKIT_CLI_TARGET";

    /// <summary>The variable holding the path of the native binary (<c>artifacts/native/linux-x64/migrationkit</c>).</summary>
    public const string NativeVariable = "MIGRATIONKIT_CLI_NATIVE";

    /// <summary>
    /// The category of tests that call the tool's classes directly (the URL parser's unit tests) and run no build of
    /// the tool at all: the native target's pass leaves them out (<c>--filter TestCategory!=InProcessOnly</c>).
    /// </summary>
    public const string InProcessOnly = "InProcessOnly";

    /// <summary>Gets a value indicating whether every run goes to the native binary.</summary>
    public static bool IsNative { get; } = string.Equals(Environment.GetEnvironmentVariable(TargetVariable), "native", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the full path of the native binary, or null when none is named.</summary>
    /// <exception cref="InvalidOperationException">A path is named but holds no file.</exception>
    public static string? NativeBinary
    {
        get
        {
            string? path = Environment.GetEnvironmentVariable(NativeVariable);
            if (string.IsNullOrEmpty(path))
            {
                return null;
            }

            string full = Path.GetFullPath(path);
            return File.Exists(full)
                ? full
                : throw new InvalidOperationException($"{NativeVariable} names {full}, which does not exist. Run eng/publish-native.sh first.");
        }
    }

    /// <summary>Gets the native binary the native target runs.</summary>
    /// <exception cref="InvalidOperationException">The native target is chosen but no binary is named.</exception>
    public static string RequireNativeBinary() => NativeBinary
        ?? throw new InvalidOperationException($"{TargetVariable}=native needs {NativeVariable}, the path of the binary eng/publish-native.sh writes (artifacts/native/linux-x64/migrationkit).");
}
