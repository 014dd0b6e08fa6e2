using MigrationKit.Sql;

namespace MigrationKit.Postgres;

/// <summary>
/// Every statement about the migration lock, in one place: the advisory lock, and the lease table beside the history
/// table. Identifiers come in quoted by <see cref="PostgresIdentifier"/>; values are positional parameters.
/// </summary>
internal sealed class LockSql
{
    public LockSql(string schema, string historyTable)
    {
        LeaseTableName = historyTable + "_lock";
        if (!PostgresIdentifier.IsValid(LeaseTableName))
        {
            // A history table name near the 63-byte limit: the suffix would be truncated by the server.
            LeaseTableName = "migrationkit_lock_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(historyTable)))[..16];
        }

        QuotedSchema = PostgresIdentifier.Quote(schema);
        LeaseTable = PostgresIdentifier.Quote(schema, LeaseTableName);

        CreateLeaseTable = $"""
            CREATE TABLE IF NOT EXISTS {LeaseTable} (
                id integer NOT NULL PRIMARY KEY CHECK (id = 1),
                holder text NOT NULL,
                host text NOT NULL,
                process_id integer NOT NULL,
                application_name text NULL,
                acquired_at timestamptz NOT NULL,
                renewed_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL
            )
            """;

        // Takes over a lease that expired. A lease whose row is locked is live whatever its expiry says: its holder is in
        // a migration transaction that began with the fence (which fails unless the lease is the holder's) and renews it
        // as it commits. SKIP LOCKED passes it by instead of waiting inside the statement for that transaction to end.
        DeleteExpiredLease = $"""
            DELETE FROM {LeaseTable}
            WHERE id = (SELECT id FROM {LeaseTable} WHERE id = 1 AND expires_at < clock_timestamp() FOR UPDATE SKIP LOCKED)
            RETURNING holder, host, process_id
            """;

        // $1 holder, $2 host, $3 process id, $4 application name, $5 lease duration. Only when no lease is there: the
        // unique check of ON CONFLICT alone would wait for a holder's open migration transaction, which updated the row.
        InsertLease = $"""
            INSERT INTO {LeaseTable} (id, holder, host, process_id, application_name, acquired_at, renewed_at, expires_at)
            SELECT 1, $1, $2, $3, $4, clock_timestamp(), clock_timestamp(), clock_timestamp() + $5
            WHERE NOT EXISTS (SELECT FROM {LeaseTable} WHERE id = 1)
            ON CONFLICT (id) DO NOTHING
            """;

        // The last column: whether a transaction holds the row locked now (the holder's migration transaction, which
        // keeps the lease whatever its expiry says).
        ReadLease = $"""
            SELECT holder, host, process_id, application_name, acquired_at, renewed_at, expires_at, clock_timestamp(),
                   NOT EXISTS (SELECT FROM {LeaseTable} WHERE id = 1 FOR SHARE SKIP LOCKED)
            FROM {LeaseTable} WHERE id = 1
            """;

        // $1 holder, $2 lease duration. Answers whether the lease is still the holder's. A row locked by the holder's own
        // migration transaction is passed by, not waited for: that transaction renews the lease as it commits.
        RenewLease = $"""
            WITH mine AS (SELECT id FROM {LeaseTable} WHERE id = 1 AND holder = $1 FOR UPDATE SKIP LOCKED),
                 renewed AS (
                     UPDATE {LeaseTable} AS lease SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + $2
                     FROM mine WHERE lease.id = mine.id
                     RETURNING lease.id)
            SELECT EXISTS (SELECT FROM {LeaseTable} WHERE id = 1 AND holder = $1)
            """;

        ReleaseLease = $"DELETE FROM {LeaseTable} WHERE id = 1 AND holder = $1";
    }

    /// <summary>Gets the lease table's unquoted name, <c>{history table}_lock</c>.</summary>
    public string LeaseTableName { get; }

    /// <summary>Gets the quoted schema.</summary>
    public string QuotedSchema { get; }

    /// <summary>Gets the lease table's quoted, schema-qualified name.</summary>
    public string LeaseTable { get; }

    public string CreateLeaseTable { get; }

    public string DeleteExpiredLease { get; }

    public string InsertLease { get; }

    public string ReadLease { get; }

    public string RenewLease { get; }

    public string ReleaseLease { get; }

    /// <summary>
    /// Tries the advisory lock, unless this very server process holds it already (then it is this session's, left from
    /// an earlier use of the pooled connection, and taking it again would need two releases). $1 = key, $2 = high
    /// 32 bits, $3 = low 32 bits.
    /// </summary>
    public const string TryAdvisoryLock = """
        SELECT CASE
            WHEN EXISTS (
                SELECT 1 FROM pg_catalog.pg_locks
                WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid() AND granted
                  AND classid::bigint = $2 AND objid::bigint = $3 AND objsubid = 1
                  AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))
            THEN true
            ELSE pg_catalog.pg_try_advisory_lock($1)
        END
        """;

    public const string AdvisoryUnlock = "SELECT pg_catalog.pg_advisory_unlock($1)";

    /// <summary>Who holds an advisory lock: $1 = high 32 bits (classid), $2 = low 32 bits (objid), as bigint (Npgsql writes no uint).</summary>
    public const string AdvisoryLockHolder = """
        SELECT a.pid, a.application_name, a.usename::text, a.backend_start, a.state, a.state_change
        FROM pg_catalog.pg_locks l
        JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
        LIMIT 1
        """;

    /// <summary>
    /// What the connection is: its server process (against the one it reported at start-up, to tell a pooler), whether
    /// the server is a standby, whether the session is read-only, and the user.
    /// </summary>
    public const string Probe = """
        SELECT pg_catalog.pg_backend_pid(), pg_catalog.pg_is_in_recovery(),
               pg_catalog.current_setting('transaction_read_only') = 'on', current_user::text
        """;

    /// <summary>The SQLSTATE the fences raise when the lock is not this run's any more.</summary>
    public const string LockLostSqlState = "MK001";

    /// <summary>
    /// The advisory lock's fence: fails unless this transaction runs on the server process the run opened and that
    /// process holds the lock. Values are the run's own integers, never user input.
    /// </summary>
    public static string AdvisoryFence(int backendPid, long key) => Fence(
        $"""
        IF pg_catalog.pg_backend_pid() <> {backendPid} OR NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_locks
            WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid() AND granted
              AND classid::bigint = {(long)((ulong)key >> 32)} AND objid::bigint = {(long)((ulong)key & 0xFFFFFFFF)} AND objsubid = 1) THEN
        """,
        "this transaction does not run on the session that holds the migration's advisory lock (a connection pooler between MigrationKit and the server?)");

    /// <summary>
    /// The lease's fence: renews the lease and locks its row until the transaction ends, so nobody takes it over
    /// meanwhile; fails unless the lease is still this holder's. The holder is a hexadecimal id the run made.
    /// </summary>
    public string LeaseFence(string holder, TimeSpan lease) => Fence(
        $"""
        UPDATE {LeaseTable} SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + interval '{(long)Math.Ceiling(lease.TotalMilliseconds)} milliseconds'
        WHERE id = 1 AND holder = '{holder}';
        IF NOT FOUND THEN
        """,
        "the migration lease is no longer this run's: it expired and another runner took it over");

    /// <summary>
    /// Ends every transaction the lease's fence opened: renews the lease again as the transaction commits, so a migration
    /// longer than the lease leaves it as fresh as a short one. While the transaction ran, its row lock kept the lease
    /// (the fence's renewal counts from the transaction's start, and the background renewal passes a locked row by).
    /// </summary>
    public string LeaseRenewal(string holder, TimeSpan lease) =>
        $"UPDATE {LeaseTable} SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + interval '{(long)Math.Ceiling(lease.TotalMilliseconds)} milliseconds' " +
        $"WHERE id = 1 AND holder = '{holder}'";

    private static string Fence(string condition, string reason)
    {
        string body = $"""
            BEGIN
            {condition}
                RAISE EXCEPTION USING ERRCODE = '{LockLostSqlState}', MESSAGE = 'MigrationKit lost its migration lock: {reason.Replace("'", "''", StringComparison.Ordinal)}';
            END IF;
            END
            """;

        // A dollar-quote tag that the body (which holds quoted names) does not contain.
        string tag = "$mk$";
        for (int i = 0; body.Contains(tag, StringComparison.Ordinal); i++)
        {
            tag = $"$mk{i}$";
        }

        return $"DO {tag}{body}{tag}";
    }
}
