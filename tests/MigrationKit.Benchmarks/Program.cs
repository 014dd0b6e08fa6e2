using MigrationKit.Benchmarks;

// Kept minimal: a child process must load no more than the tool it times.
Arguments arguments;
try
{
    arguments = Arguments.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    await Console.Error.WriteLineAsync(Arguments.Usage);
    return 2;
}

if (arguments.Help)
{
    Console.WriteLine(Arguments.Usage);
    return 0;
}

if (arguments.Child is not null)
{
    return await ChildMode.RunAsync(arguments);
}

try
{
    return await BenchmarkRun.RunAsync(arguments);
}
catch (BenchmarkFailedException ex)
{
    await Console.Error.WriteLineAsync($"BENCHMARK FAILED: {ex.Message}");
    if (ex.InnerException is not null)
    {
        await Console.Error.WriteLineAsync(ex.InnerException.ToString());
    }

    return 1;
}
