using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MigrationKit.Cli.Commands;

/// <summary>The positional arguments commands share, with messages that say what is expected.</summary>
internal static class Arguments
{
    /// <summary>An optional count of migrations, at least 1.</summary>
    public static Argument<int?> Count(string description) => new("count")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return null;
            }

            string text = result.Tokens[0].Value;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1)
            {
                return count;
            }

            result.AddError($"The count must be a whole number of at least 1, not '{text}'.");
            return null;
        },
    };

    /// <summary>A version: a whole number of at least <paramref name="minimum"/>.</summary>
    public static Argument<long> Version(string description, long minimum) => new("version")
    {
        Description = description,
        CustomParser = result => ParseVersion(result, minimum),
    };

    private static long ParseVersion(ArgumentResult result, long minimum)
    {
        string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long version) && version >= minimum)
        {
            return version;
        }

        result.AddError(minimum < 0
            ? $"The version must be a whole number of at least 0, or -1 for none, not '{text}'."
            : $"The version must be a whole number of at least {minimum}, not '{text}'.");
        return 0;
    }
}
