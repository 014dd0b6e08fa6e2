namespace MigrationKit.Benchmarks;

/// <summary>Timings of one tool in one scenario, in milliseconds.</summary>
internal sealed class Samples
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public double Median
    {
        get
        {
            if (_values.Count == 0)
            {
                return double.NaN;
            }

            double[] sorted = [.. _values.Order()];
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    public double Min => _values.Count == 0 ? double.NaN : _values.Min();

    public double Max => _values.Count == 0 ? double.NaN : _values.Max();

    public void Add(double milliseconds) => _values.Add(milliseconds);
}
