using System.Globalization;
using Microsoft.Extensions.Logging;
using MigrationKit;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.TestProcess;

// Usage: MigrationKit.TestProcess <connection string> <migrations folder> <up|down N|goto V> [schema] [--option value]…
// Options: --lock-timeout-ms N (default 120000), --statement-timeout-ms N, --lock-mode Auto|Advisory|Lease,
// --lease-timeout-ms N, --events (print each engine log event).
// Prints "ready" once the runner is built (so a test knows when to start its clock), with --events one line per log
// event ("event <EventName> <message>"), then "done <from> <to> <count>".
// Exit codes: 0 done, 1 migration failed, 2 usage, 3 dirty database, 4 lock timeout, 5 connection lost, 6 (serve only)
// an unexpected exception.
//
// Usage: MigrationKit.TestProcess serve
// Reads one run per line from standard input, "<id>\t<connection string>\t<folder>\tup[\t<options>]" (options as above,
// separated by spaces, e.g. "--lock-mode Lease --lease-timeout-ms 2000"), runs it with a new runner and store, and
// prints "result <id> <exit code> <from> <to> <count>" (the counts only when it succeeded), after "error <id> <message>"
// when it failed; exits 0 at the end of input.
// A test starts its processes once and releases them at the same moment for each round.
if (args is ["serve"])
{
    Console.WriteLine("ready");
    Console.Out.Flush();
    while (await Console.In.ReadLineAsync() is { } line)
    {
        string[] parts = line.Split('\t');
        var serveOptions = new MigrationOptions { ConnectionString = parts[1], LockTimeout = TimeSpan.FromMinutes(2) };
        string[] extra = parts.Length > 4 ? parts[4].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        for (int i = 0; i < extra.Length; i++)
        {
            if (!TryApplyOption(serveOptions, extra, ref i))
            {
                Console.Error.WriteLine($"unknown option {extra[i]}");
                return 2;
            }
        }

        (int code, MigrationReport? report, string? error) = await RunAsync(serveOptions, parts[2], parts[3], 0, events: false);
        if (error is not null)
        {
            // On standard output, before the result, so that the test has it when the result arrives.
            Console.WriteLine($"error {parts[0]} {error.ReplaceLineEndings(" ")}");
        }

        Console.WriteLine(report is null ? $"result {parts[0]} {code}" : $"result {parts[0]} {code} {report.StartVersion ?? -1} {report.EndVersion ?? -1} {report.Executed.Count}");
        Console.Out.Flush();
    }

    return 0;
}

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: MigrationKit.TestProcess <connection string> <folder> <up|down N|goto V> [schema] [--lock-timeout-ms N] [--statement-timeout-ms N] [--lock-mode M] [--lease-timeout-ms N] [--events]");
    Console.Error.WriteLine("       MigrationKit.TestProcess serve");
    return 2;
}

var options = new MigrationOptions { ConnectionString = args[0], LockTimeout = TimeSpan.FromMinutes(2) };
string command = args[2];
int argIndex = 3;
long number = 0;
if (command is "down" or "goto")
{
    number = long.Parse(args[argIndex++], CultureInfo.InvariantCulture);
}

bool events = false;
for (; argIndex < args.Length; argIndex++)
{
    if (args[argIndex] == "--events")
    {
        events = true;
    }
    else if (!TryApplyOption(options, args, ref argIndex))
    {
        options.Schema = args[argIndex];
    }
}

(int exitCode, MigrationReport? done, string? failure) = await RunAsync(options, args[1], command, number, events, announce: true);
if (failure is not null)
{
    Console.Error.WriteLine(failure);
}

if (done is not null)
{
    Console.WriteLine($"done {done.StartVersion ?? -1} {done.EndVersion ?? -1} {done.Executed.Count}");
}

return exitCode;

// One option of the runner at args[index] (its value after it); false when it is none of them.
static bool TryApplyOption(MigrationOptions options, string[] args, ref int index)
{
    switch (args[index])
    {
        case "--lock-timeout-ms":
            options.LockTimeout = TimeSpan.FromMilliseconds(int.Parse(args[++index], CultureInfo.InvariantCulture));
            return true;
        case "--statement-timeout-ms":
            options.StatementTimeout = TimeSpan.FromMilliseconds(int.Parse(args[++index], CultureInfo.InvariantCulture));
            return true;
        case "--lock-mode":
            options.LockMode = Enum.Parse<LockMode>(args[++index]);
            return true;
        case "--lease-timeout-ms":
            options.LeaseTimeout = TimeSpan.FromMilliseconds(int.Parse(args[++index], CultureInfo.InvariantCulture));
            return true;
        default:
            return false;
    }
}

static async Task<(int Code, MigrationReport? Report, string? Error)> RunAsync(
    MigrationOptions options, string folder, string command, long number, bool events, bool announce = false)
{
    ILogger<MigrationRunner>? logger = events ? new EventPrinter<MigrationRunner>() : null;
    ILogger<PostgresMigrationStore>? storeLogger = events ? new EventPrinter<PostgresMigrationStore>() : null;
    var runner = new MigrationRunner(new FileSystemMigrationSource(folder), new PostgresMigrationStore(options, storeLogger), options, logger);
    if (announce)
    {
        Console.WriteLine("ready");
        Console.Out.Flush();
    }

    try
    {
        MigrationReport report = command switch
        {
            "up" => await runner.UpAsync(),
            "down" => await runner.DownAsync((int)number),
            "goto" => await runner.GotoAsync(number),
            _ => throw new ArgumentException($"unknown command {command}"),
        };
        return (0, report, null);
    }
    catch (DirtyDatabaseException ex)
    {
        return (3, null, ex.Message);
    }
    catch (MigrationLockTimeoutException ex)
    {
        return (4, null, ex.Message);
    }
    catch (MigrationException ex) when (ex is MigrationFailedException { IsConnectionLost: true } or MigrationConnectionException)
    {
        return (5, null, ex.GetType().Name + ": " + ex.Message);
    }
    catch (MigrationException ex)
    {
        return (1, null, ex.GetType().Name + ": " + ex.Message);
    }
    catch (Exception ex) when (!announce)
    {
        // Serving: an unexpected exception is one run's failure, reported with its stack, not the end of the process.
        return (6, null, "unexpected " + ex);
    }
}
