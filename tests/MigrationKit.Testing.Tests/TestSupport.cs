using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>Helpers shared by the tests.</summary>
internal static class TestSupport
{
    /// <summary>Options for a local cluster that ignore MIGRATIONKIT_TEST_CONNECTION and never start a container.</summary>
    public static PostgresServerOptions LocalClusterOptions(ILoggerFactory? loggerFactory = null) => new()
    {
        AllowContainer = false,
        IgnoreEnvironmentVariable = true,
        LoggerFactory = loggerFactory,
    };

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static Task<bool> PollUntilAsync(Func<bool> condition, TimeSpan timeout) =>
        EventuallyAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Reads the postmaster's process id from the first line of <c>postmaster.pid</c>.</summary>
    public static int PostmasterPid(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Reads the real user id of a process from <c>/proc/{pid}/status</c>.</summary>
    public static int UserIdOf(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Lists the command lines of the postgres processes whose data folder is in a cluster folder of this process under
    /// the cluster root (Linux). Other test processes on the machine (another test project, another checkout) share the
    /// root, so their servers are left out.
    /// </summary>
    public static string[] ServersUnderClusterRoot()
    {
        var root = Path.Combine(Internal.ClusterRoot.Get(), OwnFolderPrefix);
        var found = new List<string>();
        foreach (var process in Process.GetProcessesByName("postgres"))
        {
            using (process)
            {
                try
                {
                    var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
                    if (commandLine.Contains(root, StringComparison.Ordinal))
                    {
                        found.Add(commandLine);
                    }
                }
                catch (IOException)
                {
                    // It exited meanwhile.
                }
            }
        }

        // A backend that another test run's server has just forked carries its postmaster's command line until it
        // renames itself: one server, listed once.
        return [.. found.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Lists the cluster folders (not templates) of this process under the cluster root; other test processes on the
    /// machine share the root, and their folders come and go at any time.
    /// </summary>
    public static string[] ClusterFolders() =>
        [.. Directory.GetDirectories(Internal.ClusterRoot.Get(), OwnFolderPrefix + "*")];

    private static string OwnFolderPrefix => Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-";
}

/// <summary>A logger factory that records every message, for assertions on what was logged.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public IEnumerable<string> Messages(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Message);

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
