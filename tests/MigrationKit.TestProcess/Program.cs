using MigrationKit;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;

// Usage: MigrationKit.TestProcess <connection string> <migrations folder> <up|down N|goto V> [schema]
// Prints "ready" once connected (so a test knows when to kill it), then "done <from> <to> <count>".
// Exit codes: 0 done, 1 migration failed, 3 dirty database, 4 lock timeout, 2 usage.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: MigrationKit.TestProcess <connection string> <folder> <up|down N|goto V> [schema]");
    return 2;
}

var options = new MigrationOptions { ConnectionString = args[0], LockTimeout = TimeSpan.FromMinutes(2) };
string command = args[2];
int argIndex = 3;
long number = 0;
if (command is "down" or "goto")
{
    number = long.Parse(args[argIndex++], System.Globalization.CultureInfo.InvariantCulture);
}

if (args.Length > argIndex)
{
    options.Schema = args[argIndex];
}

var runner = new MigrationRunner(new FileSystemMigrationSource(args[1]), new PostgresMigrationStore(options), options);
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
catch (MigrationException ex)
{
    Console.Error.WriteLine(ex.GetType().Name + ": " + ex.Message);
    return 1;
}
