using System.Globalization;

namespace MigrationKit.Linting;

/// <summary>Says how big a table is, as a person reads it: <c>tasks: about 8.1 M rows, 1.2 GB</c>.</summary>
internal static class TableSize
{
    public static string Describe(string table, long? estimatedRows, long totalBytes)
    {
        string rows = estimatedRows is { } count ? "about " + Rows(count) : "not analyzed yet";
        return $"{table}: {rows}, {Bytes(totalBytes)}";
    }

    public static string Rows(long count) => count switch
    {
        < 1_000 => count.ToString(CultureInfo.InvariantCulture) + (count == 1 ? " row" : " rows"),
        < 1_000_000 => Scaled(count / 1e3, "k"),
        < 1_000_000_000 => Scaled(count / 1e6, "M"),
        _ => Scaled(count / 1e9, "G"),
    } + (count < 1_000 ? string.Empty : " rows");

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " bytes",
        < 1024 * 1024 => Scaled(bytes / 1024.0, "kB"),
        < 1024L * 1024 * 1024 => Scaled(bytes / (1024.0 * 1024), "MB"),
        < 1024L * 1024 * 1024 * 1024 => Scaled(bytes / (1024.0 * 1024 * 1024), "GB"),
        _ => Scaled(bytes / (1024.0 * 1024 * 1024 * 1024), "TB"),
    };

    private static string Scaled(double value, string unit) =>
        (value < 10 ? value.ToString("0.#", CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture)) + " " + unit;
}
