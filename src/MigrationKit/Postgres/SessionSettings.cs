using MigrationKit.Sql;

namespace MigrationKit.Postgres;

/// <summary>
/// The settings MigrationKit gives every migration, as statements: <c>SET LOCAL</c> at the start of each transaction,
/// so nothing outlives it on a pooled server connection, and plain <c>SET</c> for a script that runs outside a
/// transaction on a direct connection, undone by <see cref="Reset"/> after it.
/// </summary>
internal sealed class SessionSettings
{
    /// <summary>
    /// Brings a session back to what it was when it connected: a script's <c>SET ROLE</c>, <c>SET SESSION
    /// AUTHORIZATION</c>, <c>search_path</c> or timeout never reaches the next migration or a history write. Not
    /// <c>DISCARD ALL</c>: that would also release the session's advisory lock.
    /// </summary>
    public static readonly IReadOnlyList<string> Reset = ["SET SESSION AUTHORIZATION DEFAULT", "RESET ROLE", "RESET ALL"];

    public SessionSettings(MigrationOptions options, Version serverVersion, bool setApplicationName)
    {
        var values = new List<(string Name, string Value)>(4);

        // PostgreSQL 14+: a runner that dies mid-script (kill -9, a lost network) is noticed within a second, its
        // transaction rolled back and its lock released, instead of when the statement would have ended.
        if (serverVersion.Major >= 14)
        {
            values.Add(("client_connection_check_interval", "1000ms"));
        }

        if (setApplicationName)
        {
            values.Add(("application_name", MigrationOptions.DefaultApplicationName));
        }

        if (options.StatementTimeout is { } statementTimeout)
        {
            values.Add(("statement_timeout", $"{Milliseconds(statementTimeout)}ms"));
            HasTimeouts = true;
        }

        if (options.DdlLockTimeout is { } lockTimeout)
        {
            values.Add(("lock_timeout", $"{Milliseconds(lockTimeout)}ms"));
            HasTimeouts = true;
        }

        Local = [.. values.Select(v => $"SET LOCAL {v.Name} = '{v.Value}'")];
        Session = [.. values.Select(v => $"SET {v.Name} = '{v.Value}'")];
        if (options.SetSearchPath)
        {
            // The schema as an identifier, never a value: SET takes no parameter.
            string path = string.Equals(options.Schema, "public", StringComparison.Ordinal)
                ? PostgresIdentifier.Quote(options.Schema)
                : PostgresIdentifier.Quote(options.Schema) + ", public";
            Local = [.. Local, $"SET LOCAL search_path = {path}"];
            Session = [.. Session, $"SET search_path = {path}"];
            HasSearchPath = true;
        }
    }

    /// <summary>Gets the statements that apply the settings to the current transaction only.</summary>
    public IReadOnlyList<string> Local { get; }

    /// <summary>Gets the statements that apply the settings to the session (direct connections, outside a transaction).</summary>
    public IReadOnlyList<string> Session { get; }

    /// <summary>Gets a value indicating whether the options set a statement or lock timeout.</summary>
    public bool HasTimeouts { get; }

    /// <summary>Gets a value indicating whether scripts run with the schema first on the search path (<see cref="MigrationOptions.SetSearchPath"/>).</summary>
    public bool HasSearchPath { get; }

    /// <summary>A setting is at least 1 ms: PostgreSQL reads 0 as "no timeout".</summary>
    internal static long Milliseconds(TimeSpan value) => Math.Max(1, (long)Math.Ceiling(value.TotalMilliseconds));
}
