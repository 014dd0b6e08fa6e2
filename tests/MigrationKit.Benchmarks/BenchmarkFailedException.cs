namespace MigrationKit.Benchmarks;

/// <summary>A correctness check of the benchmark failed: the run stops, loudly, with a non-zero exit code.</summary>
internal sealed class BenchmarkFailedException : Exception
{
    public BenchmarkFailedException()
    {
    }

    public BenchmarkFailedException(string message)
        : base(message)
    {
    }

    public BenchmarkFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
