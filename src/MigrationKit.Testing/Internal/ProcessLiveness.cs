using System.Diagnostics;
using System.Globalization;

namespace MigrationKit.Testing.Internal;

/// <summary>Tells whether a process still runs, by id (and start time, against reuse of ids).</summary>
internal static class ProcessLiveness
{
    /// <summary>Gets the start time of the current process, in UTC ticks, as recorded in an owner file.</summary>
    public static long CurrentStartTicks()
    {
        using var current = Process.GetCurrentProcess();
        return current.StartTime.ToUniversalTime().Ticks;
    }

    /// <summary>
    /// Returns whether process <paramref name="processId"/> runs (a zombie does not count) and, when
    /// <paramref name="expectedStartTicks"/> is given, started then (within two seconds).
    /// </summary>
    public static bool IsRunning(int processId, long? expectedStartTicks = null)
    {
        if (processId <= 0)
        {
            return false;
        }

        if (OperatingSystem.IsLinux() && IsZombieOrGone(processId))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            if (process.HasExited)
            {
                return false;
            }

            if (expectedStartTicks is { } expected)
            {
                var started = process.StartTime.ToUniversalTime().Ticks;
                return Math.Abs(started - expected) <= TimeSpan.TicksPerSecond * 2;
            }

            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // It exists but cannot be inspected: count it as running.
            return true;
        }
        catch (NotSupportedException)
        {
            return true;
        }
    }

    private static bool IsZombieOrGone(int processId)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{processId}/stat"));
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) S ...": the state follows the last ')'; comm may itself hold ')' or spaces.
        var end = stat.LastIndexOf(')');
        if (end < 0 || end + 2 >= stat.Length)
        {
            return false;
        }

        return stat[end + 2] is 'Z' or 'X';
    }
}
