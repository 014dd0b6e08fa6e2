using System.Globalization;

namespace MigrationKit.Sources;

/// <summary>Parses <c>{version}_{description}.{up|down}.sql</c>, golang-migrate's file layout.</summary>
internal static class MigrationFileName
{
    private const string UpSuffix = ".up.sql";
    private const string DownSuffix = ".down.sql";

    /// <summary>Whether a name ends in <c>.sql</c> (any case), so it is meant as a migration and must parse.</summary>
    public static bool IsSqlFile(string fileName) => fileName.EndsWith(".sql", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a file name. On failure, <paramref name="error"/> says what is wrong with it.</summary>
    public static bool TryParse(string fileName, out long version, out string description, out MigrationDirection direction, out string? error)
    {
        version = 0;
        description = string.Empty;
        direction = MigrationDirection.Up;
        error = null;

        ReadOnlySpan<char> rest;
        if (fileName.EndsWith(UpSuffix, StringComparison.Ordinal))
        {
            rest = fileName.AsSpan(0, fileName.Length - UpSuffix.Length);
        }
        else if (fileName.EndsWith(DownSuffix, StringComparison.Ordinal))
        {
            rest = fileName.AsSpan(0, fileName.Length - DownSuffix.Length);
            direction = MigrationDirection.Down;
        }
        else
        {
            error = "the name must end in .up.sql or .down.sql (lower case)";
            return false;
        }

        int digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            error = "the name must start with a version number";
            return false;
        }

        if (digits == rest.Length || rest[digits] != '_')
        {
            error = "the version must be followed by '_' and a description";
            return false;
        }

        // Leading zeros don't matter, and 0 is a version, as golang-migrate reads them (real folders start at 0_initial).
        ReadOnlySpan<char> versionText = rest[..digits].TrimStart('0');
        if (versionText.Length == 0)
        {
            versionText = "0";
        }

        if (versionText.Length > 19 || !long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            error = $"the version is out of range (at most {long.MaxValue})";
            return false;
        }

        ReadOnlySpan<char> descriptionText = rest[(digits + 1)..];
        if (descriptionText.IsWhiteSpace())
        {
            error = "the description after '_' is empty";
            return false;
        }

        foreach (char c in descriptionText)
        {
            if (char.IsControl(c) || c is '/' or '\\')
            {
                error = "the description contains a control character or a path separator";
                return false;
            }
        }

        description = descriptionText.ToString();
        return true;
    }

    /// <summary>How a file should be named, for messages.</summary>
    public const string Expected = "{version}_{description}.up.sql or {version}_{description}.down.sql, for example 001_create_projects_table.up.sql";
}
