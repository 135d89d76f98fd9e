namespace Checkpointing.Benchmarks;

/// <summary>What the interleaved measurements outside BenchmarkDotNet share (<c>--paired</c>, <c>--csv-paired</c>, <c>--generator-timing</c>).</summary>
internal static class Samples
{
    /// <summary>The value at <paramref name="p"/> (0 to 1) of the sorted samples, nearest rank.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }

    /// <summary>A full collection before a measured run, so no run pays for the garbage of the one before it.</summary>
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
