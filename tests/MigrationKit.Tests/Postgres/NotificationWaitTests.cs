using MigrationKit.Postgres;

namespace MigrationKit.Tests.Postgres;

/// <summary>
/// The lock waiter's wait for the holder's notification: Npgsql's WaitAsync reads 0 ms as "forever", so what is left
/// of the lock timeout must be rounded up, never truncated to 0. A waiter with 0.4 ms left once waited forever.
/// </summary>
public sealed class NotificationWaitTests
{
    [TestCase(0.0004, 1)]
    [TestCase(0.001, 1)]
    [TestCase(0.0011, 2)]
    [TestCase(1.0, 1000)]
    [TestCase(29.9996, 30000)]
    public void What_is_left_of_the_timeout_is_rounded_up_to_whole_milliseconds(double seconds, int expected) =>
        AdvisoryMigrationLock.NotificationWaitMilliseconds(TimeSpan.FromSeconds(seconds)).Should().Be(expected);

    [Test]
    public void A_sub_millisecond_remainder_never_becomes_npgsqls_wait_forever()
    {
        for (long ticks = 1; ticks < TimeSpan.TicksPerMillisecond; ticks += 37)
        {
            AdvisoryMigrationLock.NotificationWaitMilliseconds(TimeSpan.FromTicks(ticks)).Should().Be(1, $"{ticks} ticks are left");
        }
    }

    [Test]
    public void Nothing_left_means_no_wait_at_all()
    {
        AdvisoryMigrationLock.NotificationWaitMilliseconds(TimeSpan.Zero).Should().Be(0);
        AdvisoryMigrationLock.NotificationWaitMilliseconds(TimeSpan.FromMilliseconds(-3)).Should().Be(0);
    }

    [Test]
    public void A_wait_longer_than_int_milliseconds_is_capped_not_overflowed() =>
        AdvisoryMigrationLock.NotificationWaitMilliseconds(TimeSpan.FromDays(30)).Should().Be(int.MaxValue);
}
