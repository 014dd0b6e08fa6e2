using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using MigrationKit.Diagnostics;
using MigrationKit.Sql;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// Runs one planned script with its history record. A transactional script goes to the server as one batch,
/// <c>BEGIN; settings; fence; statements…; reset; history write; fence end; COMMIT</c>: one round trip, applied whole or
/// not at all, starting from the session MigrationKit set up and leaving nothing of the script's own <c>SET</c>s behind.
/// A script that cannot run in a transaction is bracketed by the dirty flag and runs one statement per round trip, so
/// the first failure stops it.
/// </summary>
internal sealed class PostgresScriptExecutor(SessionConnection session, HistorySql sql, MigrationOptions options, InvalidIndexes invalidIndexes)
{
    /// <summary>Statements per batch of a large transactional script; each batch is one round trip.</summary>
    private const int MaxStatementsPerBatch = 1000;

    /// <summary>Characters per batch of a large transactional script, so a 50 MB seed file is not copied whole.</summary>
    private const int MaxCharactersPerBatch = 1 << 20;

    /// <summary>
    /// The client-side timeout of a script's statements: none. Npgsql's Command Timeout (30 s by default) would cut an
    /// index build short and report it as a lost connection; a migration's time limit is statement_timeout
    /// (<see cref="MigrationOptions.StatementTimeout"/>), enforced by the server, which reports it as such.
    /// </summary>
    private const int ScriptTimeout = 0;

    private enum Part
    {
        Prelude,
        Statement,
        Reset,
        Record,
        Commit,
    }

    public async Task<TimeSpan> ApplyAsync(PlannedMigration step, CancellationToken cancellationToken)
    {
        if (!session.LockHeld)
        {
            throw new InvalidOperationException("The migration lock must be held for this; call AcquireLockAsync first.");
        }

        MigrationScript script = step.Script;
        SqlScript parsed = script.Parsed;
        if (session.Logger.IsEnabled(LogLevel.Trace))
        {
            session.Logger.ScriptText(script.Origin, script.Sql);
        }

        long started = session.Time.GetTimestamp();
        if (parsed.RunsOutsideTransaction)
        {
            session.Logger.RunningOutsideTransaction(script.Origin, parsed.OutsideTransactionReason ?? "it controls transactions itself");
            await ApplyOutsideTransactionAsync(step, parsed, started, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (parsed.TransactionShape == TransactionShape.Wrapped)
            {
                session.Logger.TransactionWrapperRemoved(script.Origin);
            }

            await ApplyInTransactionAsync(step, parsed, cancellationToken).ConfigureAwait(false);
        }

        return session.Time.GetElapsedTime(started);
    }

    private async Task ApplyInTransactionAsync(PlannedMigration step, SqlScript parsed, CancellationToken cancellationToken)
    {
        Migration migration = step.Migration;
        NpgsqlBatchCommand Record() => step.Direction == MigrationDirection.Up
            ? SessionConnection.Command(sql.InsertApplied, migration.Version, migration.Description, migration.Up.Checksum)
            : SessionConnection.Command(sql.DeleteVersion, migration.Version);

        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await ExecuteTransactionalScriptAsync(parsed.Body, Record(), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ScriptFailure failure) when (failure.Inner is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } && failure.Part == Part.Statement
                && attempt < options.DdlLockRetries && !cancellationToken.IsCancellationRequested)
            {
                TimeSpan delay = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt), 5000) * (0.75 + (Random.Shared.NextDouble() / 2)));
                session.Logger.DdlLockRetry(step.Script.Origin, options.DdlLockTimeout, delay.TotalMilliseconds, attempt + 1, options.DdlLockRetries);
                await Task.Delay(delay, session.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (ScriptFailure failure)
            {
                throw Translate(step, failure, outsideTransaction: false, attempt, []);
            }
        }
    }

    /// <summary>
    /// BEGIN with the settings and the fence, the statements, the session reset, the history record, the fence's end and
    /// COMMIT: one batch, one round trip, unless the script is large enough to be sent in parts (still one transaction).
    /// </summary>
    private async Task ExecuteTransactionalScriptAsync(IReadOnlyList<SqlStatement> statements, NpgsqlBatchCommand record, CancellationToken cancellationToken)
    {
        int next = 0;
        bool first = true;
        bool begun = false;
        try
        {
            while (true)
            {
                using NpgsqlBatch batch = session.CreateBatch(ScriptTimeout);
                var owners = new List<(NpgsqlBatchCommand Command, SqlStatement? Statement, Part Part)>();
                if (first)
                {
                    session.AddTransactionPrelude(batch);
                    foreach (NpgsqlBatchCommand prelude in batch.BatchCommands)
                    {
                        owners.Add((prelude, null, Part.Prelude));
                    }
                    first = false;
                }

                // A COPY ... FROM stdin ends the batch: its data goes through the COPY protocol, in the same transaction.
                int characters = 0;
                while (next < statements.Count && !statements[next].IsCopyFromStdin
                    && owners.Count < MaxStatementsPerBatch && (characters == 0 || characters + statements[next].Length <= MaxCharactersPerBatch))
                {
                    SqlStatement statement = statements[next++];
                    characters += statement.Length;
                    var command = new NpgsqlBatchCommand(statement.Text);
                    batch.BatchCommands.Add(command);
                    owners.Add((command, statement, Part.Statement));
                }

                SqlStatement? copy = next < statements.Count && statements[next].IsCopyFromStdin ? statements[next] : null;
                bool last = next == statements.Count;
                if (last)
                {
                    // The script's own SETs end here: the history write runs as the session MigrationKit set up.
                    foreach (string reset in SessionSettings.Reset)
                    {
                        var command = new NpgsqlBatchCommand(reset);
                        batch.BatchCommands.Add(command);
                        owners.Add((command, null, Part.Reset));
                    }

                    batch.BatchCommands.Add(record);
                    owners.Add((record, null, Part.Record));
                    if (session.Fence is not null && session.FenceEnd is not null)
                    {
                        var end = new NpgsqlBatchCommand(session.FenceEnd);
                        batch.BatchCommands.Add(end);
                        owners.Add((end, null, Part.Record));
                    }

                    var commit = new NpgsqlBatchCommand("COMMIT");
                    batch.BatchCommands.Add(commit);
                    owners.Add((commit, null, Part.Commit));
                }

                begun = true;
                if (batch.BatchCommands.Count > 0)
                {
                    try
                    {
                        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
                    {
                        // The first command without a result is where it failed.
                        int at = owners.FindIndex(o => o.Command.StatementType == StatementType.Unknown);
                        throw at >= 0
                            ? new ScriptFailure(owners[at].Statement, owners[at].Part, ex)
                            : new ScriptFailure(null, Part.Commit, ex);
                    }
                }

                if (copy is not null)
                {
                    next++;
                    await CopyAsync(copy, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (last)
                {
                    begun = false;
                    return;
                }
            }
        }
        catch (ScriptFailure failure)
        {
            if (begun)
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
            }

            if (failure.Inner is OperationCanceledException canceled)
            {
                // Never wrapped: the caller cancelled, and the transaction is rolled back.
                ExceptionDispatchInfo.Capture(canceled).Throw();
            }

            throw;
        }
    }

    private async Task ApplyOutsideTransactionAsync(PlannedMigration step, SqlScript parsed, long started, CancellationToken cancellationToken)
    {
        Migration migration = step.Migration;
        bool direct = session.Topology is not { IsPooled: true };

        // The dirty mark, after the fence, in one implicit transaction; on a direct connection, the settings for the
        // statements to come, which are undone after the script.
        using (NpgsqlBatch before = session.CreateBatch())
        {
            if (session.Fence is not null)
            {
                before.BatchCommands.Add(new NpgsqlBatchCommand(session.Fence));
            }

            NpgsqlBatchCommand mark = step.Direction == MigrationDirection.Up
                ? SessionConnection.Command(sql.MarkDirtyForUp, migration.Version, migration.Description, migration.Up.Checksum)
                : SessionConnection.Command(sql.MarkDirtyForDown, migration.Version);
            before.BatchCommands.Add(mark);
            if (direct)
            {
                foreach (string setting in session.Settings.Session)
                {
                    before.BatchCommands.Add(new NpgsqlBatchCommand(setting));
                }

                session.SessionChanged = true;
            }

            try
            {
                await before.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                throw Translate(step, new ScriptFailure(null, Part.Prelude, ex), outsideTransaction: true, 0, []);
            }

            if (mark.RecordsAffected != 1)
            {
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                throw AlreadyDone(step);
            }
        }

        foreach (SqlStatement statement in parsed.Statements)
        {
            try
            {
                if (statement.IsCopyFromStdin)
                {
                    await CopyFromStdin.ExecuteAsync(session.Connection, statement, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await session.ExecuteAsync(new NpgsqlBatchCommand(statement.Text), cancellationToken, ScriptTimeout).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
            {
                // The script may have opened its own transaction; end it so the dirty flag stays as written.
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                if (ex is OperationCanceledException)
                {
                    throw;
                }

                IReadOnlyList<string> invalid = await invalidIndexes.ReadQuietlyAsync().ConfigureAwait(false);
                throw Translate(step, new ScriptFailure(statement, Part.Statement, ex), outsideTransaction: true, 0, invalid);
            }
        }

        using NpgsqlBatch after = session.CreateBatch();
        if (direct)
        {
            foreach (string reset in SessionSettings.Reset)
            {
                after.BatchCommands.Add(new NpgsqlBatchCommand(reset));
            }
        }

        if (session.Fence is not null)
        {
            after.BatchCommands.Add(new NpgsqlBatchCommand(session.Fence));
        }

        after.BatchCommands.Add(step.Direction == MigrationDirection.Up
            ? SessionConnection.Command(sql.ClearDirty, migration.Version, (long)session.Time.GetElapsedTime(started).TotalMilliseconds)
            : SessionConnection.Command(sql.DeleteVersion, migration.Version));
        try
        {
            await after.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            session.SessionChanged = false;
        }
        catch (NpgsqlException ex)
        {
            throw Translate(step, new ScriptFailure(null, Part.Record, ex), outsideTransaction: true, 0, []);
        }
    }

    /// <summary>Runs a <c>COPY ... FROM stdin</c> of a transactional script with its data, in the open transaction.</summary>
    private async Task CopyAsync(SqlStatement copy, CancellationToken cancellationToken)
    {
        try
        {
            await CopyFromStdin.ExecuteAsync(session.Connection, copy, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
        {
            throw new ScriptFailure(copy, Part.Statement, ex);
        }
    }

    private MigrationException Translate(PlannedMigration step, ScriptFailure failure, bool outsideTransaction, int retries, IReadOnlyList<string> invalidIndexes)
    {
        if (failure.Inner is PostgresException { SqlState: LockSql.LockLostSqlState } lost)
        {
            return new MigrationException(
                $"{(step.Direction == MigrationDirection.Up ? "Applying" : "Reverting")} migration {step.Version} ({step.Description}) did not start: {lost.MessageText}. " +
                "Nothing of it ran. Another runner may be migrating this database now; run again, and a run re-reads the history under the lock.",
                lost);
        }

        if (failure.Part == Part.Record && failure.Inner is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return AlreadyDone(step, failure.Inner);
        }

        FailurePhase phase = failure.Part switch
        {
            Part.Statement => FailurePhase.Script,
            Part.Prelude => FailurePhase.BeforeScript,
            _ => FailurePhase.HistoryWrite,
        };
        return MigrationErrors.Failed(step.Migration, step.Direction, step.Script, failure.Statement, failure.Inner, outsideTransaction, retries, options, invalidIndexes, phase);
    }

    private MigrationException AlreadyDone(PlannedMigration step, Exception? inner = null) => new(
        step.Direction == MigrationDirection.Up
            ? $"Version {step.Version} ({step.Description}) is already recorded as applied in {sql.QualifiedTable}: another runner applied it while this one ran. " +
              "This run did not apply it again and stopped; nothing of it is doubled. Run status to see where the database stands."
            : $"Version {step.Version} ({step.Description}) is no longer recorded as applied in {sql.QualifiedTable}: another runner reverted it while this one ran. " +
              "This run did not revert it again and stopped. Run status to see where the database stands.",
        inner);

    /// <summary>A statement of a script failed; carries which one, until it is turned into a MigrationFailedException.</summary>
    private sealed class ScriptFailure(SqlStatement? statement, Part part, Exception inner) : Exception(inner.Message, inner)
    {
        public SqlStatement? Statement { get; } = statement;

        public Part Part { get; } = part;

        public Exception Inner { get; } = inner;
    }
}
