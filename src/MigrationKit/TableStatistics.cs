namespace MigrationKit;

/// <summary>A store's estimate of one table's size, for lint findings ("`tasks`: about 8.1 M rows, 1.2 GB").</summary>
public sealed record TableStatistics
{
    /// <summary>Gets the table, as it was asked for.</summary>
    public required string Table { get; init; }

    /// <summary>Gets the estimated number of rows, or <see langword="null"/> when the table was never analyzed.</summary>
    public long? EstimatedRows { get; init; }

    /// <summary>Gets the table's size on disk, indexes and TOAST included, in bytes.</summary>
    public long TotalBytes { get; init; }
}
