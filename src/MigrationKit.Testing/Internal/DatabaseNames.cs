using System.Text;

namespace MigrationKit.Testing.Internal;

/// <summary>Makes unique, safe database names: a lowercase prefix and random hexadecimal digits, at most 63 bytes.</summary>
internal static class DatabaseNames
{
    /// <summary>The prefix used when none is given.</summary>
    public const string DefaultPrefix = "mk_test_";

    /// <summary>The number of random hexadecimal digits after the prefix (64 random bits).</summary>
    public const int RandomLength = 16;

    /// <summary>The longest name PostgreSQL keeps without truncating (NAMEDATALEN - 1).</summary>
    public const int MaximumLength = 63;

    /// <summary>
    /// Returns a new name from <paramref name="namePrefix"/> (lowercased; letters, digits and underscores; not starting
    /// with a digit) and random digits.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix holds other characters or is too long.</exception>
    public static string Create(string? namePrefix)
    {
        var normalized = (namePrefix ?? DefaultPrefix).ToLowerInvariant();
        if (normalized.Length > MaximumLength - RandomLength)
        {
            throw new ArgumentException(
                $"The database name prefix may be at most {MaximumLength - RandomLength} characters long.", nameof(namePrefix));
        }

        foreach (var c in normalized)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '_')
            {
                throw new ArgumentException(
                    "The database name prefix may hold only ASCII letters, digits and underscores.", nameof(namePrefix));
            }
        }

        if (normalized.Length > 0 && char.IsAsciiDigit(normalized[0]))
        {
            throw new ArgumentException("The database name prefix may not start with a digit.", nameof(namePrefix));
        }

        var name = normalized + ClusterRoot.RandomHex(RandomLength / 2);
        if (normalized.Length == 0 && char.IsAsciiDigit(name[0]))
        {
            name = "d" + name[1..];
        }

        return name;
    }

    /// <summary>Quotes a name made by <see cref="Create"/> as an SQL identifier.</summary>
    public static string Quote(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new StringBuilder(name.Length + 2).Append('"').Append(name.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"').ToString();
    }
}
