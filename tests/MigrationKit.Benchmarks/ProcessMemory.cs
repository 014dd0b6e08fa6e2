using System.Globalization;

namespace MigrationKit.Benchmarks;

/// <summary>The resident set of this process from <c>/proc/self/status</c>: now (VmRSS) and its peak so far (VmHWM).</summary>
internal readonly record struct ProcessMemory(long ResidentBytes, long PeakResidentBytes)
{
    public static ProcessMemory Read()
    {
        long rss = 0, hwm = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }

        return new ProcessMemory(rss * 1024, hwm * 1024);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
