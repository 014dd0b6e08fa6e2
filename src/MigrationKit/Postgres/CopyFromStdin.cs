using System.Buffers;
using System.Data;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using MigrationKit.Sql;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// Runs a <c>COPY ... FROM STDIN</c> statement of a script with its data block through Npgsql's COPY protocol, as
/// psql does when it runs the script, and maps an error in the data to the line of the script it came from.
/// </summary>
/// <remarks>
/// <para>
/// The statement's text (without its semicolon) starts the copy; the data block goes as it is in the script, in UTF-8,
/// text or CSV alike (<see cref="NpgsqlConnection.BeginTextImportAsync"/>; the COPY statement itself tells the server
/// the format), and the end of the stream ends the data, where psql also sends the <c>\.</c> line.
/// </para>
/// <para>
/// It runs in whatever transaction the connection is in, and neither begins, commits nor rolls back one: after a
/// failure or a cancellation the caller's transaction is aborted, and the caller rolls it back as after any failed
/// statement. Without a transaction the COPY is its own, all rows or none.
/// </para>
/// <para>
/// Cancellation: while the copy starts (also while the server waits for a lock on the table), Npgsql gives up the
/// connection, and the server ends the session, rolling back, when it next looks for the client. Between chunks of
/// data the copy is ended with CopyFail, which keeps the connection usable; a write the server does not read (it is
/// blocked, say in a trigger) is abandoned with the connection, and so is a CopyFail it does not answer within the
/// connection's cancellation timeout. Once all the data is sent, the server's last work (the last rows, constraint
/// triggers at the end of the statement) is not cancelled from here: <c>statement_timeout</c> bounds it.
/// </para>
/// </remarks>
internal static class CopyFromStdin
{
    /// <summary>How much text is written between two looks at the cancellation token (in UTF-16 code units).</summary>
    internal const int ChunkLength = 64 * 1024;

    /// <summary>Runs a <c>COPY ... FROM STDIN</c> statement with its data on an open connection.</summary>
    /// <param name="connection">An open connection, in a transaction or not; nothing else may be running on it.</param>
    /// <param name="statement">A statement whose <see cref="SqlStatement.CopyData"/> is set, from a script without errors.</param>
    /// <param name="cancellationToken">Cancels the copy; see the remarks of <see cref="CopyFromStdin"/>.</param>
    /// <returns>A task that completes when the server has taken every row.</returns>
    /// <exception cref="ArgumentException">The statement is no <c>COPY ... FROM STDIN</c>, its data has no end marker, or it is in binary format.</exception>
    /// <exception cref="PostgresException">
    /// The server refused the statement or a row; <see cref="GetPositionOfError"/> says where in the script.
    /// </exception>
    /// <exception cref="NpgsqlException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; never wrapped.</exception>
    public static async Task ExecuteAsync(NpgsqlConnection connection, SqlStatement statement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(statement);
        SqlCopyData data = statement.CopyData
            ?? throw new ArgumentException($"The statement at {statement.Position} is not a COPY ... FROM STDIN with a data block.", nameof(statement));
        if (!data.IsTerminated || data.Format == SqlCopyFormat.Binary)
        {
            throw new ArgumentException(
                $"The COPY ... FROM STDIN at {statement.Position} cannot run: its data {(data.IsTerminated ? "is in binary format" : "has no end marker (a line holding only \\.)")}. Validation reports this before anything runs.",
                nameof(statement));
        }

        cancellationToken.ThrowIfCancellationRequested();
        NpgsqlCopyTextWriter writer = await connection.BeginTextImportAsync(statement.Text, cancellationToken).ConfigureAwait(false);

        // Scripts have no client-side timeout; statement_timeout is the server's to enforce.
        writer.Timeout = 0;

        // The bytes go to the copy stream itself: the text writer's asynchronous writes fall back to synchronous ones
        // (it derives from StreamWriter), which no token can interrupt.
        Stream stream = writer.BaseStream;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(ChunkLength));
        try
        {
            ReadOnlyMemory<char> text = data.AsMemory();
            for (int offset = 0; offset < text.Length;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int length = Math.Min(ChunkLength, text.Length - offset);
                if (offset + length < text.Length && char.IsHighSurrogate(text.Span[offset + length - 1]))
                {
                    length--;
                }

                int count = Encoding.UTF8.GetBytes(text.Span.Slice(offset, length), buffer);
                offset += length;

                // Npgsql abandons a write the token cancels, with the connection: the server is not reading.
                await stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            }

            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            await AbandonAsync(connection, writer).ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                ExceptionDispatchInfo.Capture(ex).Throw();
            }

            throw new OperationCanceledException("The COPY ... FROM STDIN was cancelled while its data was being sent.", ex, cancellationToken);
        }
        catch
        {
            await AbandonAsync(connection, writer).ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        // Sends the end of the data and waits for the server's verdict: an error in a row surfaces here.
        await writer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Finds where in the script a failed <c>COPY ... FROM STDIN</c> went wrong: the row the server names in its error
    /// context (<c>COPY t, line 7</c>, counting rows of the data block), or the position in the statement the server
    /// gives, or else the statement's start.
    /// </summary>
    /// <param name="statement">The COPY statement that failed.</param>
    /// <param name="exception">The server's error.</param>
    /// <returns>The line and column in the script; the column is 1 for a row of data.</returns>
    public static SqlPosition GetPositionOfError(SqlStatement statement, PostgresException exception)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(exception);
        if (statement.CopyData is { } data && TryGetDataLine(exception.Where, out long line) && data.GetPositionOfDataLine(line) is { } position)
        {
            return position;
        }

        return statement.Script.GetPositionOfServerError(statement, exception.Position);
    }

    /// <summary>
    /// Reads the row number from the server's error context of a COPY: the line <c>COPY name, line 7[, column c: "v"]</c>
    /// (the word "line" is translated with lc_messages, so any one word is accepted). Other context lines, such as a
    /// trigger's, may come before it.
    /// </summary>
    /// <param name="where">The error's context (<see cref="PostgresException.Where"/>).</param>
    /// <param name="line">The 1-based row number.</param>
    /// <returns><see langword="true"/> when the context names a row of a COPY.</returns>
    internal static bool TryGetDataLine(string? where, out long line)
    {
        line = 0;
        if (string.IsNullOrEmpty(where))
        {
            return false;
        }

        foreach (ReadOnlySpan<char> context in where.AsSpan().EnumerateLines())
        {
            if (!context.StartsWith("COPY ", StringComparison.Ordinal))
            {
                continue;
            }

            // The first ", <word> <digits>" followed by ',', ':' or the end: the table name comes before it.
            for (int comma = context.IndexOf(", ", StringComparison.Ordinal); comma >= 0;)
            {
                ReadOnlySpan<char> rest = context[(comma + 2)..];
                int space = rest.IndexOf(' ');
                if (space > 0 && IsWord(rest[..space]))
                {
                    ReadOnlySpan<char> digits = rest[(space + 1)..];
                    int length = 0;
                    while (length < digits.Length && char.IsAsciiDigit(digits[length]))
                    {
                        length++;
                    }

                    if (length > 0 && (length == digits.Length || digits[length] is ',' or ':')
                        && long.TryParse(digits[..length], NumberStyles.None, CultureInfo.InvariantCulture, out line))
                    {
                        return true;
                    }
                }

                int next = rest.IndexOf(", ", StringComparison.Ordinal);
                comma = next < 0 ? -1 : comma + 2 + next;
            }
        }

        return false;
    }

    private static bool IsWord(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    // Ends the copy with CopyFail, which keeps the connection usable when the server is reading. A server that is
    // not (blocked in a trigger or on a lock) would never take the CopyFail nor answer it: the wait is bounded by the
    // connection's cancellation timeout (Npgsql's bound for the answer to a cancellation), after which Npgsql
    // gives up the connection. If the connection is already broken, the first error is the one that matters.
    private static async Task AbandonAsync(NpgsqlConnection connection, NpgsqlCopyTextWriter writer)
    {
        if (connection.FullState.HasFlag(ConnectionState.Broken) || connection.State != ConnectionState.Open)
        {
            // Npgsql gave up the connection (a cancelled write): the copy ended with it.
            return;
        }

        try
        {
            writer.Timeout = CancelTimeoutMilliseconds(connection);
            await writer.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // The caller's exception says what went wrong.
        }

        try
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // Already ended by the CopyFail, or the connection is gone.
        }
    }

    private static int CancelTimeoutMilliseconds(NpgsqlConnection connection)
    {
        const int NpgsqlDefault = 2000;
        try
        {
            int configured = new NpgsqlConnectionStringBuilder(connection.ConnectionString).CancellationTimeout;
            return configured > 0 ? configured : NpgsqlDefault;
        }
        catch (ArgumentException)
        {
            return NpgsqlDefault;
        }
    }
}
