using System.Diagnostics;
using System.Globalization;

namespace Checkpointing.Benchmarks;

/// <summary>
/// <c>--paired</c>: goal 1 measured in interleaved rounds (floor, ours, floor, ours, ...) on the same files as
/// <see cref="MarkCostBenchmarks"/>. On a shared virtual disk the fsync latency drifts by 2-3x over minutes,
/// more than the difference being measured; BenchmarkDotNet measures one case after the other, so its
/// ratio mixes the drift in. Interleaving exposes both sides to the same disk, and medians drop the stalls.
/// </summary>
internal static class PairedMarkCost
{
    public static async Task RunAsync(int rounds)
    {
        Console.WriteLine($"Paired durable mark cost ({rounds} interleaved rounds per size; the seeds' rewrite every 4th round):");
        Console.WriteLine();
        Console.WriteLine("| Completed | Floor median | Ours median | Ours/Floor | Seeds median | Seeds/Floor | Floor p90 | Ours p90 |");
        Console.WriteLine("|----------:|-------------:|------------:|-----------:|-------------:|------------:|----------:|---------:|");
        foreach (var completed in new[] { 100, 10_000, 100_000 })
        {
            var bench = new MarkCostBenchmarks { Completed = completed };
            await bench.SetupAsync();
            try
            {
                var floor = new List<double>();
                var ours = new List<double>();
                var seeds = new List<double>();
                for (var i = 0; i < 20; i++)
                {
                    bench.Floor();
                    await bench.Journal();
                }

                for (var i = 0; i < rounds; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    bench.Floor();
                    floor.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    start = Stopwatch.GetTimestamp();
                    await bench.Journal();
                    ours.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (i % 4 == 0)
                    {
                        start = Stopwatch.GetTimestamp();
                        bench.SeedRewrite();
                        seeds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }

                var f = Samples.Percentile(floor, 0.5);
                var o = Samples.Percentile(ours, 0.5);
                var s = Samples.Percentile(seeds, 0.5);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {completed,9:N0} | {f,9:0.000} ms | {o,8:0.000} ms | {o / f,9:0.00}x | {s,9:0.000} ms | {s / f,10:0.00}x | {Samples.Percentile(floor, 0.9),6:0.000} ms | {Samples.Percentile(ours, 0.9),5:0.000} ms |"));
            }
            finally
            {
                await bench.CleanupAsync();
            }
        }
    }
}
