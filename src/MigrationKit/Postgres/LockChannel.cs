using MigrationKit.Sql;

using System.Globalization;

namespace MigrationKit.Postgres;

/// <summary>
/// The notification channel of one migration lock, <c>migrationkit_lock_{key}</c>: the holder NOTIFYs it as it
/// releases the lock, so waiters wake at once instead of at their next poll.
/// </summary>
internal sealed class LockChannel
{
    public LockChannel(long lockKey)
    {
        string name = PostgresIdentifier.Quote("migrationkit_lock_" + ((ulong)lockKey).ToString("x16", CultureInfo.InvariantCulture));
        Listen = "LISTEN " + name;
        Unlisten = "UNLISTEN " + name;
        Notify = "NOTIFY " + name;
    }

    public string Listen { get; }

    public string Unlisten { get; }

    public string Notify { get; }
}
