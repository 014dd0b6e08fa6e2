using System.Data;
using System.Text;
using System.Text.RegularExpressions;
using MigrationKit.Sql;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// Builds the <see cref="MigrationFailedException"/> for a failed script: what ran, where in the file it failed
/// (line and column), the SQLSTATE and the server's message, what state the database is left in, and what to do.
/// </summary>
internal static partial class MigrationErrors
{
    public static MigrationFailedException Failed(
        Migration migration,
        MigrationDirection direction,
        MigrationScript script,
        SqlStatement? statement,
        Exception exception,
        bool outsideTransaction,
        int retries,
        MigrationOptions options,
        IReadOnlyList<string> invalidIndexes,
        FailurePhase phase = FailurePhase.Script)
    {
        PostgresException? server = exception as PostgresException;
        bool connectionLost = IsConnectionLost(exception);
        SqlPosition? position = null;
        if (statement is not null)
        {
            position = statement.IsCopyFromStdin && server is not null ? CopyFromStdin.GetPositionOfError(statement, server)
                : server is { Position: > 0 } ? script.Parsed.GetPositionOfServerError(statement, server.Position)
                : statement.Position;
        }

        string verb = direction == MigrationDirection.Up ? "Applying" : "Reverting";
        string where = position is { } p ? $"{script.Origin}:{p.Line}:{p.Column}" : script.Origin;
        string during = phase switch
        {
            FailurePhase.BeforeScript when outsideTransaction => ", while marking it dirty, before any statement of the script ran",
            FailurePhase.HistoryWrite when outsideTransaction => direction == MigrationDirection.Up
                ? ", while clearing its dirty flag after every statement of the script ran"
                : ", while deleting its history row after every statement of the down script ran",
            FailurePhase.HistoryWrite => ", while writing its history row or committing, after its statements ran",
            _ => string.Empty,
        };
        var message = new StringBuilder();
        if (connectionLost)
        {
            message.Append($"The connection to the server was lost while {verb.ToLowerInvariant()} migration {migration.Version} ({migration.Description}) at {where}{during}");
            message.Append(server is null ? "." : $": {server.SqlState}: {server.MessageText}.");
        }
        else if (server is not null)
        {
            message.Append($"{verb} migration {migration.Version} ({migration.Description}) failed at {where}{during}: {server.SqlState}: {server.MessageText}.");

            if (!string.IsNullOrEmpty(server.Hint))
            {
                message.Append($" Hint: {server.Hint}.");
            }

            if (server.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                message.Append($" A table lock was not granted within lock_timeout ({TimeoutOrigin("lock_timeout", options.DdlLockTimeout, nameof(MigrationOptions.DdlLockTimeout), script, statement)}): another session holds a lock on the table");
                message.Append(outsideTransaction
                    ? $"; a script outside a transaction is not retried ({nameof(MigrationOptions.DdlLockRetries)} retries transactional migrations only)."
                    : retries > 0
                        ? $"; the migration was retried {retries} time(s) ({nameof(MigrationOptions.DdlLockRetries)} = {options.DdlLockRetries})."
                        : $"; raise {nameof(MigrationOptions.DdlLockRetries)} to retry the whole migration.");
            }
            else if (phase == FailurePhase.HistoryWrite && server.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                message.Append($" The history table {PostgresIdentifier.Quote(options.Schema, options.TableName)} is gone: the script dropped or renamed it. " +
                    $"If the scripts manage a table of that name for another tool, give MigrationKit a table of its own ({nameof(MigrationOptions.TableName)}, --table).");
            }
            else if (server.SqlState == PostgresErrorCodes.QueryCanceled && server.MessageText.Contains("statement timeout", StringComparison.Ordinal))
            {
                message.Append($" The statement ran longer than statement_timeout ({TimeoutOrigin("statement_timeout", options.StatementTimeout, nameof(MigrationOptions.StatementTimeout), script, statement)}).");
            }
        }
        else
        {
            message.Append($"{verb} migration {migration.Version} ({migration.Description}) failed at {where}: {exception.GetType().Name}.");
        }

        if (!outsideTransaction)
        {
            message.Append(connectionLost
                ? $" The server rolls the transaction back unless its COMMIT had already arrived; run status to see whether version {migration.Version} is recorded. Either way nothing is half-applied."
                : direction == MigrationDirection.Up
                    ? " Nothing of it was applied: its transaction was rolled back and the history is unchanged. Fix the script and run again."
                    : " Nothing of it was reverted: its transaction was rolled back and the history is unchanged. Fix the down script and run again.");
        }
        else if (phase == FailurePhase.BeforeScript)
        {
            message.Append(connectionLost
                ? $" None of its statements ran. If the dirty mark reached the server before the connection went, the next run refuses as dirty at version {migration.Version}: nothing of it ran, so force the version before it and run again."
                : " The dirty mark was not recorded and none of its statements ran; fix the cause and run again.");
        }
        else if (phase == FailurePhase.HistoryWrite)
        {
            string lost = connectionLost ? " (unless the server recorded the change before the connection went)" : string.Empty;
            message.Append(direction == MigrationDirection.Up
                ? $" Every statement of the script ran, but the database stays dirty at version {migration.Version}{lost}: check the schema, then run force {migration.Version} and run again."
                : $" Every statement of the down script ran, but the database stays dirty at version {migration.Version}{lost}: check the schema, then force the version before it and run again.");
        }
        else
        {
            message.Append($" The script runs outside a transaction, so the statements before this one stay, and the database is now dirty at version {migration.Version}.");
            foreach (string index in invalidIndexes)
            {
                message.Append($" The failed CREATE INDEX CONCURRENTLY left the INVALID index {index} behind: drop it (DROP INDEX CONCURRENTLY {index}) before retrying.");
            }

            message.Append($" Repair the schema by hand, then record where it stands with force {migration.Version} (fully {(direction == MigrationDirection.Up ? "applied" : "still applied")}) or force to the version before it, and run again.");
        }

        return new MigrationFailedException(
            message.ToString(),
            migration.Version,
            migration.Description,
            direction,
            script.Origin,
            position?.Line,
            position?.Column,
            server?.SqlState,
            connectionLost,
            outsideTransaction,
            exception);
    }

    /// <summary>Whether an exception means the connection is gone rather than that a statement was refused.</summary>
    public static bool IsConnectionLost(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>
    /// Where a timeout's value came from: a <c>SET</c> of the script before the failing statement (its value and
    /// line), else the option, else the server's setting (role, database or server configuration).
    /// </summary>
    private static string TimeoutOrigin(string setting, TimeSpan? option, string optionName, MigrationScript script, SqlStatement? failed)
    {
        SqlStatement? set = null;
        foreach (SqlStatement statement in script.Parsed.Statements)
        {
            if (failed is not null && statement.Offset > failed.Offset)
            {
                break;
            }

            if (SetsSetting(statement.AsSpan(), setting, out _))
            {
                set = statement;
            }
        }

        if (set is not null)
        {
            SetsSetting(set.AsSpan(), setting, out string value);
            return $"{value}, set by the script at {script.Origin}:{set.Position.Line}:{set.Position.Column}";
        }

        return option is { } v
            ? $"{SessionSettings.Milliseconds(v)} ms, {optionName}"
            : $"the server's setting, from its configuration, the role or the database; {optionName} is not set";
    }

    /// <summary>Whether a statement is <c>SET [SESSION|LOCAL] {setting} = value</c> (or <c>TO</c>), and its value.</summary>
    private static bool SetsSetting(ReadOnlySpan<char> statement, string setting, out string value)
    {
        Match match = SetStatement().Match(statement.ToString());
        value = match.Success ? match.Groups["value"].Value.Trim() : string.Empty;
        return match.Success && match.Groups["name"].Value.Equals(setting, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("""^SET\s+(?:SESSION\s+|LOCAL\s+)?"?(?<name>[A-Za-z_.]+)"?\s*(?:=|\bTO\b)\s*(?<value>.+)$""", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SetStatement();
}

/// <summary>Where in applying a migration a failure happened.</summary>
internal enum FailurePhase
{
    /// <summary>A statement of the script (or, when unknown, somewhere in it).</summary>
    Script,

    /// <summary>Before the first statement: opening the transaction, or marking a non-transactional migration dirty.</summary>
    BeforeScript,

    /// <summary>After every statement ran: writing the history row and committing, or clearing the dirty flag.</summary>
    HistoryWrite,
}
