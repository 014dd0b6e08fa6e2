using System.CommandLine.Parsing;
using System.Globalization;

namespace MigrationKit.Cli;

/// <summary>Reads <c>--lock-timeout</c> and <c>--statement-timeout</c>: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, a bare number of seconds, or <c>hh:mm:ss</c>.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        string trimmed = text.Trim();
        (string number, double unit) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (trimmed[..^2], 1.0),
            _ when trimmed.EndsWith("min", StringComparison.OrdinalIgnoreCase) => (trimmed[..^3], 60_000.0),
            _ when trimmed.EndsWith('s') || trimmed.EndsWith('S') => (trimmed[..^1], 1000.0),
            _ when trimmed.EndsWith('m') || trimmed.EndsWith('M') => (trimmed[..^1], 60_000.0),
            _ when trimmed.EndsWith('h') || trimmed.EndsWith('H') => (trimmed[..^1], 3_600_000.0),
            _ => (trimmed, 1000.0),
        };

        if (double.TryParse(number.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
        {
            double milliseconds = amount * unit;
            if (milliseconds is >= 1 and <= int.MaxValue)
            {
                value = TimeSpan.FromMilliseconds(milliseconds);
                return true;
            }

            return false;
        }

        return trimmed.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out value)
            && value >= TimeSpan.FromMilliseconds(1);
    }

    /// <summary>A System.CommandLine parser for an option holding a duration.</summary>
    public static TimeSpan? Parse(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        string text = result.Tokens[0].Value;
        if (TryParse(text, out TimeSpan value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration: write 500ms, 30s, 5m or 1h (a bare number is seconds), at least 1 ms.");
        return null;
    }
}
