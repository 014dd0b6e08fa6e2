using System.Diagnostics;
using Npgsql;

namespace MigrationKit.Benchmarks;

internal static class Timing
{
    /// <summary>
    /// Times one operation from a cold connection: every Npgsql pool is cleared first, so the operation opens a new
    /// physical connection, as a start-up of a new process does (a warm process, though: code already compiled).
    /// </summary>
    public static async Task<double> ColdConnectionAsync(Func<Task> operation)
    {
        NpgsqlConnection.ClearAllPools();
        long started = Stopwatch.GetTimestamp();
        await operation();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    public static async Task<double> TimeAsync(Func<Task> operation)
    {
        long started = Stopwatch.GetTimestamp();
        await operation();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
