using System.Diagnostics;

namespace MigrationKit.Tests.Shared;

/// <summary>Polls a condition until it holds or a deadline passes, then fails the test saying what it waited for: a wait that is not a sleep.</summary>
public static class Eventually
{
    /// <summary>The pause between two looks, unless a caller gives another.</summary>
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? poll = null) =>
        await ReturnsAsync(condition, holds => holds, timeout, what, poll);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? poll = null) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, what, poll);

    /// <summary>
    /// Reads <paramref name="probe"/> until <paramref name="condition"/> accepts its value, and returns that value;
    /// fails the test after <paramref name="timeout"/>, naming <paramref name="what"/> and the last value read.
    /// </summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Not met within {timeout.TotalSeconds:0.###} s: {what} (last value: {value}).");
            }

            await Task.Delay(poll ?? DefaultPoll, CancellationToken.None);
        }
    }
}
