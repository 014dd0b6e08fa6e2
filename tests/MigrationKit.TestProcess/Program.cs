using System.Globalization;
using Microsoft.Extensions.Logging;
using MigrationKit;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.TestProcess;

// Usage: MigrationKit.TestProcess <connection string> <migrations folder> <up|down N|goto V> [schema] [--option value]…
// Options: --lock-timeout-ms N (default 120000), --statement-timeout-ms N, --events (print each engine log event).
// Prints "ready" once the runner is built (so a test knows when to start its clock), with --events one line per log
// event ("event <EventName> <message>"), then "done <from> <to> <count>".
// Exit codes: 0 done, 1 migration failed, 2 usage, 3 dirty database, 4 lock timeout, 5 connection lost.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: MigrationKit.TestProcess <connection string> <folder> <up|down N|goto V> [schema] [--lock-timeout-ms N] [--statement-timeout-ms N] [--events]");
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
    switch (args[argIndex])
    {
        case "--lock-timeout-ms":
            options.LockTimeout = TimeSpan.FromMilliseconds(int.Parse(args[++argIndex], CultureInfo.InvariantCulture));
            break;
        case "--statement-timeout-ms":
            options.StatementTimeout = TimeSpan.FromMilliseconds(int.Parse(args[++argIndex], CultureInfo.InvariantCulture));
            break;
        case "--events":
            events = true;
            break;
        default:
            options.Schema = args[argIndex];
            break;
    }
}

ILogger<MigrationRunner>? logger = events ? new EventPrinter<MigrationRunner>() : null;
ILogger<PostgresMigrationStore>? storeLogger = events ? new EventPrinter<PostgresMigrationStore>() : null;
var runner = new MigrationRunner(new FileSystemMigrationSource(args[1]), new PostgresMigrationStore(options, storeLogger), options, logger);
Console.WriteLine("ready");
Console.Out.Flush();
try
{
    MigrationReport report = command switch
    {
        "up" => await runner.UpAsync(),
        "down" => await runner.DownAsync((int)number),
        "goto" => await runner.GotoAsync(number),
        _ => throw new ArgumentException($"unknown command {command}"),
    };
    Console.WriteLine($"done {report.StartVersion} {report.EndVersion} {report.Executed.Count}");
    return 0;
}
catch (DirtyDatabaseException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 3;
}
catch (MigrationLockTimeoutException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 4;
}
catch (MigrationException ex) when (ex is MigrationFailedException { IsConnectionLost: true } or MigrationConnectionException)
{
    Console.Error.WriteLine(ex.GetType().Name + ": " + ex.Message);
    return 5;
}
catch (MigrationException ex)
{
    Console.Error.WriteLine(ex.GetType().Name + ": " + ex.Message);
    return 1;
}
