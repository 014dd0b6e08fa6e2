using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace MigrationKit.Sources;

/// <summary>
/// The one rule for a script's text and checksum (ADR 0003): a leading UTF-8 byte order mark is removed, CRLF becomes
/// LF, and the checksum is SHA-256, lowercase hexadecimal, of the normalised UTF-8 bytes. Strings, whole files and
/// files read in chunks all go through here, so a Windows checkout never looks like a changed script.
/// </summary>
internal static class ScriptText
{
    /// <summary>The UTF-8 byte order mark.</summary>
    public static ReadOnlySpan<byte> ByteOrderMark => "\uFEFF"u8;

    /// <summary>Normalises a script given as text.</summary>
    public static string Normalize(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal) : text;
    }

    /// <summary>The checksum of normalised text.</summary>
    public static string Checksum(string normalizedText)
    {
        int byteCount = Encoding.UTF8.GetByteCount(normalizedText);
        byte[]? rented = null;
        Span<byte> bytes = byteCount <= 4096 ? stackalloc byte[byteCount] : (rented = ArrayPool<byte>.Shared.Rent(byteCount)).AsSpan(0, byteCount);
        try
        {
            Encoding.UTF8.GetBytes(normalizedText, bytes);
            return Checksum(bytes);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The checksum of normalised UTF-8 bytes.</summary>
    public static string Checksum(ReadOnlySpan<byte> normalizedUtf8)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(normalizedUtf8, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Normalises a whole file's bytes: the byte order mark removed, CRLF turned into LF.</summary>
    public static ReadOnlySpan<byte> Normalize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(ByteOrderMark))
        {
            bytes = bytes[ByteOrderMark.Length..];
        }

        if (!bytes.Contains((byte)'\r'))
        {
            return bytes;
        }

        byte[] result = new byte[bytes.Length];
        bool pending = false;
        int written = RemoveCarriageReturns(bytes, result, ref pending, isFinalBlock: true);
        return result.AsSpan(0, written);
    }

    /// <summary>
    /// Copies <paramref name="input"/> into <paramref name="output"/> with every CR that precedes an LF removed. Read in
    /// chunks, a CR at the end of one chunk waits (<paramref name="pendingCarriageReturn"/>) for the next one to tell.
    /// </summary>
    /// <returns>How many bytes were written; never more than the input and a pending CR.</returns>
    public static int RemoveCarriageReturns(ReadOnlySpan<byte> input, Span<byte> output, ref bool pendingCarriageReturn, bool isFinalBlock)
    {
        int written = 0;
        if (pendingCarriageReturn)
        {
            pendingCarriageReturn = false;
            if (input.IsEmpty || input[0] != (byte)'\n')
            {
                output[written++] = (byte)'\r';
            }
        }

        while (!input.IsEmpty)
        {
            int cr = input.IndexOf((byte)'\r');
            if (cr < 0)
            {
                input.CopyTo(output[written..]);
                written += input.Length;
                break;
            }

            input[..cr].CopyTo(output[written..]);
            written += cr;
            input = input[(cr + 1)..];
            if (input.IsEmpty && !isFinalBlock)
            {
                pendingCarriageReturn = true;
            }
            else if (input.IsEmpty || input[0] != (byte)'\n')
            {
                output[written++] = (byte)'\r';
            }
        }

        return written;
    }
}
