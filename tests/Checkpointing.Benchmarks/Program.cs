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
/// published in docs/benchmarks.md). <c>--paired</c> measures goal 1 in interleaved rounds outside
/// BenchmarkDotNet (see <see cref="PairedMarkCost"/>), <c>--csv-paired</c> goal 5 (see <see cref="CsvBenchmarks.PrintPaired"/>). <c>--smoke</c> runs each case once in process on small sizes, only to
/// prove that every benchmark still runs (for CI; its numbers mean nothing). Other arguments go to
/// BenchmarkDotNet (e.g. <c>--filter *Mark*</c>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--generator-timing"))
        {
            // --generators=LsiRecord (or Checkpointed, Both, Floor, SyntaxFloor) measures one case; --rounds=N sets the rounds.
            var only = args.FirstOrDefault(a => a.StartsWith("--generators=", StringComparison.Ordinal))?.Substring("--generators=".Length);
            var rounds = args.FirstOrDefault(a => a.StartsWith("--rounds=", StringComparison.Ordinal)) is { } r
                ? int.Parse(r.Substring("--rounds=".Length), System.Globalization.CultureInfo.InvariantCulture)
                : args.Contains("--quick") ? 3 : 7;
            foreach (var generators in new[] { "Floor", "SyntaxFloor", "Checkpointed", "LsiRecord", "Both" }.Where(g => only is null || g == only))
            {
                GeneratorBenchmarks.PrintTimings(generators, runs: rounds);
            }

            return 0;
        }

        if (args.FirstOrDefault(a => a.StartsWith("--generator-profile=", StringComparison.Ordinal)) is { } profile)
        {
            // For a profiler (dotnet-trace): N full runs (--generator-profile=full:N) or N unrelated edits (edit:N) of both generators (or edit:N:LsiRecord...).
            var parts = profile.Substring("--generator-profile=".Length).Split(':');
            GeneratorBenchmarks.Repeat(parts.Length > 2 ? parts[2] : "Both", edits: parts[0] == "edit", int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        if (args.Contains("--generator-steps"))
        {
            GeneratorBenchmarks.PrintSteps("Both");
            return 0;
        }

        if (args.Contains("--csv-paired"))
        {
            CsvBenchmarks.PrintPaired(rounds: args.Contains("--quick") ? 11 : 41);
            return 0;
        }

        if (args.Contains("--paired"))
        {
            await PairedMarkCost.RunAsync(rounds: args.Contains("--quick") ? 100 : 400);
            return 0;
        }

        var smoke = args.Contains("--smoke");
        var quick = smoke || args.Contains("--quick");
        var rest = args.Where(a => a is not "--quick" and not "--smoke").ToArray();
        if (rest.Length == 0)
        {
            rest = ["--filter", "*"];
        }

        Environment.SetEnvironmentVariable(BenchData.QuickVariable, smoke ? "smoke" : quick ? "1" : "0");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BenchData.DirectoryVariable)))
        {
            Environment.SetEnvironmentVariable(BenchData.DirectoryVariable, Path.GetFullPath(Path.Combine("BenchmarkDotNet.Artifacts", "data")));
        }

        Directory.CreateDirectory(BenchData.Root);
        var peakFile = Path.Combine(BenchData.Root, "peak-working-set.txt");
        File.Delete(peakFile);

        var job = smoke
            ? Job.Dry
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithId("Smoke")
            : quick
            ? Job.Default

                // Generous: a 10,000-item stage (PaidRunOverheadBenchmarks) takes half a minute a run on a loaded machine.
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
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
            .WithOption(ConfigOptions.DisableLogFile, false);

        if (!GeneratorBenchmarks.HasGenerators())
        {
            Console.WriteLine("// The generator assemblies have no [Generator] yet: the generator benchmarks are skipped.");
            config = config.AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(b => b.Descriptor.Type != typeof(GeneratorBenchmarks)));
        }

        if (!PostgresStoreBenchmarks.Available)
        {
            Console.WriteLine($"// {PostgresStoreBenchmarks.ConnectionVariable} is not set: the PostgreSQL store benchmarks are skipped (eval \"$(.ci/postgres-start)\" starts a server).");
            config = config.AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(b => b.Descriptor.Type != typeof(PostgresStoreBenchmarks)));
        }

        if (smoke)
        {
            // Compiling the tool natively takes minutes; the smoke run proves the other start-up cases run.
            config = config.AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(b => !b.Descriptor.WorkloadMethod.Name.EndsWith("NativeAot", StringComparison.Ordinal)));
        }

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
