using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Runs one command on PgBouncer's admin console (the virtual database <c>pgbouncer</c>), e.g. <c>SHOW SERVERS</c>.
/// The console speaks only PostgreSQL's simple query protocol, which Npgsql never uses, so this is a minimal client of
/// that protocol (version 3.0): a startup message, trust authentication, one <c>Query</c> message, and the rows back as text.
/// </summary>
internal static class PgBouncerAdminConsole
{
    private const int ProtocolVersion3 = 196608;

    /// <summary>
    /// Runs <paramref name="command"/> as <paramref name="user"/> (an admin user that the console trusts from loopback) and
    /// returns its rows, each a map from column name to text (<see langword="null"/> for SQL NULL).
    /// </summary>
    /// <exception cref="ArgumentException">The command holds other characters than ASCII letters, digits, underscores and spaces.</exception>
    /// <exception cref="InvalidOperationException">The console refused the login or the command.</exception>
    public static async Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> QueryAsync(
        int port, string user, string command, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        if (!command.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ' '))
        {
            throw new ArgumentException(
                $"An admin console command holds only ASCII letters, digits, underscores and spaces (e.g. 'SHOW SERVERS'); got '{command}'.",
                nameof(command));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, deadline.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(StartupMessage(user), deadline.Token).ConfigureAwait(false);
                await ReadUntilReadyAsync(stream, rows: null, deadline.Token).ConfigureAwait(false);

                await stream.WriteAsync(Message((byte)'Q', CString(command)), deadline.Token).ConfigureAwait(false);
                var rows = new List<IReadOnlyDictionary<string, string?>>();
                await ReadUntilReadyAsync(stream, rows, deadline.Token).ConfigureAwait(false);

                await stream.WriteAsync(Message((byte)'X', []), deadline.Token).ConfigureAwait(false);
                return rows;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(
                CultureInfo.InvariantCulture,
                $"PgBouncer's admin console on port {port} did not answer '{command}' within {timeout.TotalSeconds:0.#} s."));
        }
    }

    /// <summary>Reads messages until ReadyForQuery; collects the rows of a result when <paramref name="rows"/> is given.</summary>
    private static async Task ReadUntilReadyAsync(NetworkStream stream, List<IReadOnlyDictionary<string, string?>>? rows, CancellationToken cancellationToken)
    {
        string[] columns = [];
        string? error = null;
        var header = new byte[5];
        while (true)
        {
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var type = (char)header[0];
            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4;
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case 'R':
                    var code = BinaryPrimitives.ReadInt32BigEndian(body);
                    if (code != 0)
                    {
                        throw new InvalidOperationException(string.Create(
                            CultureInfo.InvariantCulture,
                            $"PgBouncer's admin console asks for authentication (request {code}); the test PgBouncer trusts its admin user from loopback, so its hba file is not the one this fixture wrote."));
                    }

                    break;
                case 'E':
                    error ??= DescribeError(body);
                    if (rows is null)
                    {
                        // An error during login ends the connection without ReadyForQuery.
                        throw new InvalidOperationException($"PgBouncer's admin console refused the login: {error}");
                    }

                    break;
                case 'T':
                    columns = ReadColumnNames(body);
                    break;
                case 'D':
                    rows?.Add(ReadRow(body, columns));
                    break;
                case 'Z':
                    if (error is not null)
                    {
                        throw new InvalidOperationException($"PgBouncer's admin console refused the command: {error}");
                    }

                    return;
                default:
                    // ParameterStatus, BackendKeyData, CommandComplete, NoticeResponse, EmptyQueryResponse: nothing to keep.
                    break;
            }
        }
    }

    private static string[] ReadColumnNames(byte[] body)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var names = new string[count];
        var offset = 2;
        for (var i = 0; i < count; i++)
        {
            names[i] = ReadCString(body, ref offset);
            offset += 18; // table oid (4), column number (2), type oid (4), type size (2), type modifier (4), format (2)
        }

        return names;
    }

    private static Dictionary<string, string?> ReadRow(byte[] body, string[] columns)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var row = new Dictionary<string, string?>(count, StringComparer.Ordinal);
        var offset = 2;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(offset));
            offset += 4;
            string? value = null;
            if (length >= 0)
            {
                value = Encoding.UTF8.GetString(body, offset, length);
                offset += length;
            }

            row[i < columns.Length ? columns[i] : i.ToString(CultureInfo.InvariantCulture)] = value;
        }

        return row;
    }

    private static string DescribeError(byte[] body)
    {
        string? code = null;
        string? message = null;
        var offset = 0;
        while (offset < body.Length && body[offset] != 0)
        {
            var field = (char)body[offset++];
            var value = ReadCString(body, ref offset);
            if (field == 'C')
            {
                code = value;
            }
            else if (field == 'M')
            {
                message = value;
            }
        }

        return $"{message ?? "(no message)"} (SQLSTATE {code ?? "unknown"})";
    }

    private static string ReadCString(byte[] body, ref int offset)
    {
        var end = Array.IndexOf(body, (byte)0, offset);
        if (end < 0)
        {
            end = body.Length;
        }

        var text = Encoding.UTF8.GetString(body, offset, end - offset);
        offset = end + 1;
        return text;
    }

    private static byte[] StartupMessage(string user)
    {
        var parameters = CString("user").Concat(CString(user)).Concat(CString("database")).Concat(CString("pgbouncer")).Append((byte)0).ToArray();
        var message = new byte[8 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), ProtocolVersion3);
        parameters.CopyTo(message, 8);
        return message;
    }

    private static byte[] Message(byte type, byte[] body)
    {
        var message = new byte[5 + body.Length];
        message[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        return message;
    }

    private static byte[] CString(string text) => [.. Encoding.UTF8.GetBytes(text), 0];
}
