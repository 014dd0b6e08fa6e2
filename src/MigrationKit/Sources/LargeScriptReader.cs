using System.Buffers;
using System.Security.Cryptography;
using System.Text.Unicode;

namespace MigrationKit.Sources;

/// <summary>
/// Reads a large script straight into its normalised text and checksum, in chunks, so that the file's bytes and its
/// text are never in memory together: a 50 MB seed file costs its 100 MB of UTF-16 text, not 150 MB.
/// </summary>
/// <remarks>
/// Two passes over a seekable stream: the first normalises (BOM removed, CRLF turned into LF), hashes, validates and
/// counts the characters; the second decodes into a string of exactly that length. The result is the same as
/// <see cref="MigrationAssembler"/>'s whole-file path. Any problem (invalid UTF-8, a NUL, a file that changed between
/// the passes) makes it give up, and the caller takes the whole-file path, which reports the problem precisely.
/// </remarks>
internal static class LargeScriptReader
{
    /// <summary>Scripts larger than this many bytes are read in chunks.</summary>
    public const int Threshold = 1 << 20;

    private const int ChunkBytes = 1 << 16;

    /// <summary>Reads the whole stream from its start; <see langword="false"/> when the whole-file path must be taken.</summary>
    public static bool TryRead(Stream stream, out string text, out string checksum)
    {
        text = string.Empty;
        checksum = string.Empty;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = new ChunkReader(stream, hash);
        try
        {
            stream.Position = 0;
            if (!reader.Decode([], out int length))
            {
                return false;
            }

            checksum = Convert.ToHexStringLower(hash.GetHashAndReset());
            stream.Position = 0;
            var decoder = new ChunkReader(stream, hash: null);
            text = string.Create(length, (decoder, length), static (destination, state) =>
            {
                if (!state.decoder.Decode(destination, out int written) || written != state.length)
                {
                    throw new InvalidDataException();
                }
            });
            return true;
        }
        catch (InvalidDataException)
        {
            // The file changed between the passes: read it whole.
            text = string.Empty;
            return false;
        }
    }

    /// <summary>One pass: normalises chunk by chunk, hashes the normalised bytes, and decodes them.</summary>
    private sealed class ChunkReader(Stream stream, IncrementalHash? hash)
    {
        /// <summary>Decodes into <paramref name="destination"/>, or only counts when it is empty.</summary>
        public bool Decode(Span<char> destination, out int length)
        {
            length = 0;
            byte[] raw = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            byte[] normalized = ArrayPool<byte>.Shared.Rent(ChunkBytes + 8);
            char[]? scratch = destination.IsEmpty ? ArrayPool<char>.Shared.Rent(ChunkBytes + 8) : null;
            try
            {
                int carried = 0;
                bool pendingCarriageReturn = false;
                bool first = true;
                while (true)
                {
                    int read = stream.ReadAtLeast(raw.AsSpan(0, ChunkBytes), ChunkBytes, throwOnEndOfStream: false);
                    bool end = read < ChunkBytes;
                    ReadOnlySpan<byte> input = raw.AsSpan(0, read);
                    if (first)
                    {
                        first = false;
                        if (input.StartsWith(ScriptText.ByteOrderMark))
                        {
                            input = input[ScriptText.ByteOrderMark.Length..];
                        }
                    }

                    // CRLF becomes LF; a CR at the end of a chunk waits for the next one.
                    int written = carried + ScriptText.RemoveCarriageReturns(input, normalized.AsSpan(carried), ref pendingCarriageReturn, isFinalBlock: end);

                    ReadOnlySpan<byte> fresh = normalized.AsSpan(carried, written - carried);
                    if (fresh.Contains((byte)0))
                    {
                        return false;
                    }

                    hash?.AppendData(fresh);
                    Span<char> target = scratch is null ? destination[length..] : scratch;
                    System.Buffers.OperationStatus status = Utf8.ToUtf16(
                        normalized.AsSpan(0, written), target, out int consumed, out int produced, replaceInvalidSequences: false, isFinalBlock: end);
                    length += produced;
                    switch (status)
                    {
                        case System.Buffers.OperationStatus.Done:
                            carried = 0;
                            break;
                        case System.Buffers.OperationStatus.NeedMoreData when !end:
                            // A character split between chunks: its first bytes go in front of the next chunk.
                            carried = written - consumed;
                            normalized.AsSpan(consumed, carried).CopyTo(normalized);
                            break;
                        default:
                            return false;
                    }

                    if (end)
                    {
                        return true;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
                ArrayPool<byte>.Shared.Return(normalized);
                if (scratch is not null)
                {
                    ArrayPool<char>.Shared.Return(scratch);
                }
            }
        }
    }
}
