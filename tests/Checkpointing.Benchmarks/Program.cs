using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Entry point. <c>--quick</c> runs every benchmark in process with few iterations (a few minutes, for
/// checking a change); without it each case runs in its own process with more iterations (the numbers
/// published in docs/benchmarks.md). Other arguments go to BenchmarkDotNet (e.g. <c>--filter *Mark*</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var rest = args.Where(a => a != "--quick").ToArray();
        if (rest.Length == 0)
        {
            rest = ["--filter", "*"];
        }

        Environment.SetEnvironmentVariable(BenchData.QuickVariable, quick ? "1" : "0");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BenchData.DirectoryVariable)))
        {
            Environment.SetEnvironmentVariable(BenchData.DirectoryVariable, Path.GetFullPath(Path.Combine("BenchmarkDotNet.Artifacts", "data")));
        }

        Directory.CreateDirectory(BenchData.Root);
        var peakFile = Path.Combine(BenchData.Root, "peak-working-set.txt");
        File.Delete(peakFile);

        var job = quick
            ? Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(3)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
                .WithId("Quick")
            : Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(10)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(500))
                .WithId("Normal");

        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(new OpsPerSecondColumn())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
            .WithOption(ConfigOptions.JoinSummary, true)
            .WithOption(ConfigOptions.DisableLogFile, false);

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
        if (File.Exists(peakFile))
        {
            Console.WriteLine();
            Console.WriteLine("Peak working set per benchmark case (MB; one process per case unless --quick):");
            Console.WriteLine(File.ReadAllText(peakFile));
        }

        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
