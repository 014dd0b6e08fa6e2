using System.Globalization;
using System.Text;
using MigrationKit.Sources;

namespace MigrationKit.Scaffolding;

/// <summary>
/// Creates a new migration in a folder, as <c>migrationkit create</c> does: the next version, a sanitised
/// description, and both files, <c>{version}_{description}.up.sql</c> and <c>.down.sql</c>.
/// </summary>
/// <remarks>
/// The next sequential version is the folder's newest plus one, written with the folder's digit width; a timestamp
/// version is the current UTC time, moved past the folder's newest version when the clock is behind it. The files
/// are only ever created inside the folder and never over an existing file. The folder is created when missing.
/// </remarks>
public sealed class MigrationScaffolder
{
    /// <summary>The longest description a file name may carry, after sanitising.</summary>
    public const int MaxDescriptionLength = 200;

    private const string TimestampFormat = "yyyyMMddHHmmss";
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly TimeProvider _time;

    /// <summary>Creates a scaffolder for a folder.</summary>
    /// <param name="directory">The migrations folder, absolute or relative to the current directory.</param>
    /// <param name="timeProvider">The clock for timestamp versions, or <see langword="null"/> for the system clock.</param>
    public MigrationScaffolder(string directory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the folder, as given.</summary>
    public string Directory { get; }

    /// <summary>
    /// Turns a description into the part of a file name after the version: lower case ASCII letters, digits and
    /// single underscores. Accents are removed, <c>camelCase</c> words are split, anything else separates words.
    /// </summary>
    /// <param name="description">The description as typed, such as <c>Add task labels</c>.</param>
    /// <returns>The sanitised description, such as <c>add_task_labels</c>.</returns>
    /// <exception cref="ArgumentException">Nothing is left after sanitising, or more than <see cref="MaxDescriptionLength"/> characters are.</exception>
    public static string SanitizeDescription(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var result = new StringBuilder(description.Length);
        bool separate = false;
        char previous = '\0';
        foreach (char c in description.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                // A capital after a small letter or a digit starts a word: addTaskLabels -> add_task_labels.
                separate |= char.IsAsciiLetterUpper(c) && (char.IsAsciiLetterLower(previous) || char.IsAsciiDigit(previous));
                if (separate && result.Length > 0)
                {
                    result.Append('_');
                }

                result.Append(char.ToLowerInvariant(c));
                separate = false;
            }
            else if (char.IsLetter(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                // An accent once decomposed (é -> e + ´), or a letter with no ASCII form: dropped, not a separator.
                continue;
            }
            else
            {
                separate = true;
            }

            previous = c;
        }

        if (result.Length == 0)
        {
            throw new ArgumentException(
                $"The description '{description}' has nothing left once reduced to lower case letters, digits and underscores; describe the change in words, such as add_task_labels.",
                nameof(description));
        }

        if (result.Length > MaxDescriptionLength)
        {
            throw new ArgumentException(
                $"The description is {result.Length} characters long once sanitised; at most {MaxDescriptionLength} fit in a file name.",
                nameof(description));
        }

        return result.ToString();
    }

    /// <summary>Creates the next migration's up and down scripts in the folder.</summary>
    /// <param name="description">What the migration does, such as <c>add task labels</c>; it is sanitised.</param>
    /// <param name="options">How to number and name it; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The version and the paths of the two files.</returns>
    /// <exception cref="ArgumentException">The description has nothing left once sanitised, or an option is out of range.</exception>
    /// <exception cref="MigrationException">A file of that name exists already (nothing is written), or the version would be out of range.</exception>
    public async Task<ScaffoldedMigration> CreateAsync(string description, MigrationScaffoldOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MigrationScaffoldOptions();
        string name = SanitizeDescription(description);
        if (options.Digits is { } requested && requested is < 1 or > 19)
        {
            throw new ArgumentException($"{nameof(MigrationScaffoldOptions.Digits)} must be between 1 and 19, not {requested}.", nameof(options));
        }

        System.IO.Directory.CreateDirectory(Directory);
        (long newest, int width) = ReadNewestVersion(Directory);
        string versionText = options.Scheme == MigrationVersionScheme.Timestamp
            ? TimestampVersion(newest)
            : SequentialVersion(newest, options.Digits ?? (newest == 0 ? MigrationScaffoldOptions.DefaultDigits : width));
        long version = long.Parse(versionText, NumberStyles.None, CultureInfo.InvariantCulture);

        string stem = $"{versionText}_{name}";
        string upPath = Path.Combine(Directory, stem + ".up.sql");
        string downPath = Path.Combine(Directory, stem + ".down.sql");
        EnsureInside(Directory, upPath);
        EnsureInside(Directory, downPath);

        await WriteNewAsync(upPath, UpTemplate(version, name), cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteNewAsync(downPath, DownTemplate(version, name, stem + ".up.sql"), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Both files or neither: the up script alone would be a half-made migration.
            File.Delete(upPath);
            throw;
        }

        return new ScaffoldedMigration(version, name, upPath, downPath);
    }

    private static (long Newest, int Width) ReadNewestVersion(string directory)
    {
        long newest = 0;
        int width = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(directory, "*.sql"))
        {
            string fileName = Path.GetFileName(path);
            if (!MigrationFileName.TryParse(fileName, out long version, out _, out _, out _) || version < newest)
            {
                continue;
            }

            int digits = 0;
            while (char.IsAsciiDigit(fileName[digits]))
            {
                digits++;
            }

            width = version == newest ? Math.Max(width, digits) : digits;
            newest = version;
        }

        return (newest, width);
    }

    private static string SequentialVersion(long newest, int width)
    {
        if (newest == long.MaxValue)
        {
            throw new MigrationException($"The folder's newest version is {long.MaxValue}; no version can follow it.");
        }

        return (newest + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
    }

    private string TimestampVersion(long newest)
    {
        string now = _time.GetUtcNow().UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
        long version = long.Parse(now, NumberStyles.None, CultureInfo.InvariantCulture);

        // Two creates within a second, or a clock behind the folder's newest version: the new migration must still
        // come last, or it would be out of order in every database that has the newest one.
        return version > newest ? now : SequentialVersion(newest, 0);
    }

    private static void EnsureInside(string directory, string path)
    {
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        string full = Path.GetFullPath(path);
        if (!full.StartsWith(folder, StringComparison.Ordinal) || full.IndexOf(Path.DirectorySeparatorChar, folder.Length) >= 0)
        {
            throw new MigrationException($"Refusing to write {full}: it is not directly in the migrations folder {folder}.");
        }
    }

    private static async Task WriteNewAsync(string path, string text, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 4096, useAsync: true);
        }
        catch (IOException) when (Path.Exists(path))
        {
            throw new MigrationException($"{path} exists already; it was left as it is. Choose another description, or remove the file if it is a leftover.");
        }

        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Utf8NoBom.GetBytes(text), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string UpTemplate(long version, string description) => string.Create(CultureInfo.InvariantCulture, $"""
        -- Version {version}: {description}
        -- Runs in one transaction together with its history row: no BEGIN or COMMIT needed.
        -- For statements PostgreSQL refuses in a transaction (CREATE INDEX CONCURRENTLY and friends), make the first
        -- line of this file the directive  -- migrationkit:no-transaction


        """);

    private static string DownTemplate(long version, string description, string upFile) => string.Create(CultureInfo.InvariantCulture, $"""
        -- Reverts version {version}: {description}
        -- Undo what {upFile} does, in reverse order. Runs in one transaction, like the up script.


        """);
}
