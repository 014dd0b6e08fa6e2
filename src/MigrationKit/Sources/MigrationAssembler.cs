using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace MigrationKit.Sources;

/// <summary>
/// Turns script files into migrations, the same way for every built-in source, collecting every problem (malformed
/// names, duplicates, down scripts without an up script, unreadable text) instead of stopping at the first.
/// </summary>
internal static class MigrationAssembler
{
    /// <summary>Lists up versions from file names alone.</summary>
    public static SourceCatalog Scan(IEnumerable<string> fileNames)
    {
        var ups = new List<long>();
        var seen = new HashSet<(long, MigrationDirection)>();
        bool clean = true;
        foreach (string name in fileNames)
        {
            if (!MigrationFileName.IsSqlFile(name))
            {
                continue;
            }

            if (!MigrationFileName.TryParse(name, out long version, out _, out MigrationDirection direction, out _)
                || !seen.Add((version, direction)))
            {
                clean = false;
                continue;
            }

            if (direction == MigrationDirection.Up)
            {
                ups.Add(version);
            }
        }

        foreach ((long version, MigrationDirection direction) in seen)
        {
            if (direction == MigrationDirection.Down && !seen.Contains((version, MigrationDirection.Up)))
            {
                clean = false;
            }
        }

        ups.Sort();
        return new SourceCatalog(ups, clean);
    }

    /// <summary>From how many script files a load reads them on every core; below it, one thread is faster.</summary>
    internal const int ParallelReadThreshold = 64;

    /// <summary>Reads every script file and assembles the migrations, collecting every problem.</summary>
    public static SourceLoadResult Load(IEnumerable<ScriptFile> files, CancellationToken cancellationToken) =>
        Load(files, ParallelReadThreshold, cancellationToken);

    /// <summary>Reads every script file and assembles the migrations; on every core from <paramref name="parallelFrom"/> files.</summary>
    internal static SourceLoadResult Load(IEnumerable<ScriptFile> files, int parallelFrom, CancellationToken cancellationToken)
    {
        var problems = new List<ValidationProblem>();
        var byVersion = new SortedDictionary<long, Parts>();
        ScriptFile[] ordered = [.. files.OrderBy(f => f.FileName, StringComparer.Ordinal)];
        ReadAhead?[] readAhead = ordered.Length >= parallelFrom ? ReadAheadInParallel(ordered, cancellationToken) : new ReadAhead?[ordered.Length];

        for (int index = 0; index < ordered.Length; index++)
        {
            ScriptFile file = ordered[index];
            cancellationToken.ThrowIfCancellationRequested();
            if (!MigrationFileName.IsSqlFile(file.FileName))
            {
                continue;
            }

            if (!MigrationFileName.TryParse(file.FileName, out long version, out string description, out MigrationDirection direction, out string? error))
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.InvalidFileName,
                    ValidationSeverity.Error,
                    $"'{file.FileName}' is not a migration file name: {error}. Name it {MigrationFileName.Expected}, or move it out of the migrations folder.") { Origin = file.Origin });
                continue;
            }

            if (!byVersion.TryGetValue(version, out Parts? parts))
            {
                parts = new Parts(file.Origin);
                byVersion.Add(version, parts);
            }

            MigrationScript? existing = direction == MigrationDirection.Up ? parts.Up : parts.Down;
            if (existing is not null)
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.DuplicateVersion,
                    ValidationSeverity.Error,
                    $"Version {version} has two {Lower(direction)} scripts: {existing.Origin} and {file.Origin}. Give one of them a new version.") { Version = version, Origin = file.Origin });
                continue;
            }

            if (direction == MigrationDirection.Up)
            {
                parts.UpDescription = description;
            }
            else
            {
                parts.DownDescription = description;
            }

            MigrationScript? script = readAhead[index] is { } done ? done.TakeInto(problems) : Read(file, version, problems);
            if (script is null)
            {
                parts.Unreadable = true;
                continue;
            }

            if (direction == MigrationDirection.Up)
            {
                parts.Up = script;
            }
            else
            {
                parts.Down = script;
            }
        }

        var migrations = new List<Migration>(byVersion.Count);
        foreach ((long version, Parts parts) in byVersion)
        {
            if (parts.Up is null)
            {
                if (parts.Unreadable || parts.Down is null)
                {
                    continue;
                }

                // golang-migrate reads a version with a down file alone as an empty up migration: applying it records
                // the version and runs nothing. The same here, loudly, so a folder golang-migrate runs runs unchanged.
                problems.Add(new ValidationProblem(
                    ValidationCode.MissingUpScript,
                    ValidationSeverity.Warning,
                    $"Version {version} has a down script but no up script. As golang-migrate does, it is read as an empty up script: applying it records " +
                    $"the version and runs nothing. If that is not meant, add {version}_{parts.DownDescription}.up.sql or remove the down script.")
                {
                    Version = version,
                    Origin = parts.Down.Origin,
                });
                parts.UpDescription = parts.DownDescription;
                parts.Up = new MigrationScript(string.Empty, $"{parts.Down.Origin} (no up file: an empty up script)");
            }

            // golang-migrate rejects only two files of one version and direction: a down file may carry another
            // description (30_add_metadata.up.sql beside 30_drop_metadata.down.sql). The up file's names the migration.
            if (parts.Down is not null && !string.Equals(parts.UpDescription, parts.DownDescription, StringComparison.Ordinal))
            {
                problems.Add(new ValidationProblem(
                    ValidationCode.DescriptionMismatch,
                    ValidationSeverity.Info,
                    $"Version {version}'s down script is named '{parts.DownDescription}' and its up script '{parts.UpDescription}'; the migration takes the up script's description, as golang-migrate does.")
                {
                    Version = version,
                    Origin = parts.Down.Origin,
                });
            }

            migrations.Add(new Migration(version, parts.UpDescription!, parts.Up, parts.Down));
        }

        return new SourceLoadResult(migrations, problems);
    }

    private static string Lower(MigrationDirection direction) => direction == MigrationDirection.Up ? "up" : "down";

    /// <summary>
    /// Reads the scripts of a large folder on every core before they are assembled: opening, reading, checking and
    /// hashing a thousand small files is most of a status or a validate, and each file is independent. Only what the
    /// assembly would read is used, in the same order, so the result and every problem are as if read one by one.
    /// A script over <see cref="LargeScriptReader.Threshold"/>, and any file whose read threw something other than an
    /// I/O error, is left to the assembly, which reads it alone (a 50 MB script is never read beside others).
    /// </summary>
    private static ReadAhead?[] ReadAheadInParallel(ScriptFile[] files, CancellationToken cancellationToken)
    {
        var results = new ReadAhead?[files.Length];

        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, files.Length, options, i =>
        {
            ScriptFile file = files[i];
            if (!MigrationFileName.IsSqlFile(file.FileName)
                || !MigrationFileName.TryParse(file.FileName, out long version, out _, out _, out _))
            {
                return;
            }

            try
            {
                var problems = new List<ValidationProblem>();
                MigrationScript? script = Read(file, version, problems, deferLarge: true, out bool deferred);
                results[i] = deferred ? null : new ReadAhead(script, problems);
            }
            catch (Exception)
            {
                // Not an I/O error (Read reports those): the assembly reads the file again and lets it surface there.
                results[i] = null;
            }
        });
        return results;
    }

    private static MigrationScript? Read(ScriptFile file, long version, List<ValidationProblem> problems) =>
        Read(file, version, problems, deferLarge: false, out _);

    private static MigrationScript? Read(ScriptFile file, long version, List<ValidationProblem> problems, bool deferLarge, out bool deferred)
    {
        deferred = false;
        byte[] bytes;
        try
        {
            using Stream stream = file.Open();
            if (stream.CanSeek && stream.Length > LargeScriptReader.Threshold)
            {
                if (deferLarge)
                {
                    deferred = true;
                    return null;
                }

                if (LargeScriptReader.TryRead(stream, out string largeText, out string largeChecksum))
                {
                    return new MigrationScript(largeText, file.Origin, largeChecksum);
                }
            }

            bytes = ReadAll(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ValidationProblem(
                ValidationCode.UnreadableScript,
                ValidationSeverity.Error,
                $"{file.Origin} cannot be read ({ex.GetType().Name}: {ex.Message}). Check that it is a readable file, not a broken or looping link.") { Version = version, Origin = file.Origin });
            return null;
        }

        ReadOnlySpan<byte> text = ScriptText.Normalize(bytes);

        if (!Utf8.IsValid(text))
        {
            int offset = FindInvalidUtf8(text);
            problems.Add(new ValidationProblem(
                ValidationCode.UnreadableScript,
                ValidationSeverity.Error,
                $"{file.Origin} is not valid UTF-8 (byte {offset}). Save it as UTF-8; nothing was sent to the server.") { Version = version, Origin = file.Origin, Line = LineOf(text, offset), Column = ColumnOf(text, offset) });
            return null;
        }

        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            problems.Add(new ValidationProblem(
                ValidationCode.UnreadableScript,
                ValidationSeverity.Error,
                $"{file.Origin} contains a NUL character, which PostgreSQL cannot take in SQL text. Remove it; nothing was sent to the server.") { Version = version, Origin = file.Origin, Line = LineOf(text, nul), Column = ColumnOf(text, nul) });
            return null;
        }

        string sql = Encoding.UTF8.GetString(text);
        return new MigrationScript(sql, file.Origin, ScriptText.Checksum(text));
    }

    private static byte[] ReadAll(Stream stream)
    {
        if (!stream.CanSeek)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        stream.Position = 0;
        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static int FindInvalidUtf8(ReadOnlySpan<byte> text)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(1, text.Length));
        try
        {
            Utf8.ToUtf16(text, buffer, out int bytesRead, out _, replaceInvalidSequences: false);
            return bytesRead;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static int LineOf(ReadOnlySpan<byte> text, int offset) => text[..offset].Count((byte)'\n') + 1;

    private static int ColumnOf(ReadOnlySpan<byte> text, int offset)
    {
        ReadOnlySpan<byte> before = text[..offset];
        int lineStart = before.LastIndexOf((byte)'\n') + 1;
        // Columns count characters: UTF-8 continuation bytes don't start one.
        int column = 1;
        foreach (byte b in before[lineStart..])
        {
            if ((b & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return column;
    }

    private sealed class Parts(string firstOrigin)
    {
        public string FirstOrigin { get; } = firstOrigin;

        public string? UpDescription { get; set; }

        public string? DownDescription { get; set; }

        public MigrationScript? Up { get; set; }

        public MigrationScript? Down { get; set; }

        public bool Unreadable { get; set; }
    }

    /// <summary>A script read ahead of the assembly, with the problems its read found.</summary>
    private sealed class ReadAhead(MigrationScript? script, List<ValidationProblem> problems)
    {
        public MigrationScript? TakeInto(List<ValidationProblem> into)
        {
            into.AddRange(problems);
            return script;
        }
    }
}
