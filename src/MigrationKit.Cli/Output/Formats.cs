using System.Globalization;

namespace MigrationKit.Cli.Output;

/// <summary>How durations, times and counts read in the tool's output.</summary>
internal static class Formats
{
    public static string Duration(TimeSpan value) => value.TotalMilliseconds switch
    {
        < 1 => "<1 ms",
        < 10 when value.TotalMilliseconds % 1 != 0 => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.0} ms"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0} ms"),
        < 60_000 => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.00} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalMinutes} min {value.Seconds} s"),
    };

    public static string Time(DateTimeOffset? value) => value is { } v ? Time(v) : "-";

    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Count(int count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural ?? singular + "s")}");

    public static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A reported version: the number, or "none" when nothing is applied (0 is a version).</summary>
    public static string Number(long? value) => value is { } v ? Number(v) : "none";
}
