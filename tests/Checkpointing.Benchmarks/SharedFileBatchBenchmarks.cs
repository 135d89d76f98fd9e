using BenchmarkDotNet.Attributes;
using Checkpointing.Csv;
using Checkpointing.SharedFiles;
using CsvHelper;
using PackageReview;

namespace Checkpointing.Benchmarks;

/// <summary>A row of the CSV variant of the review: the workbook's 23 columns.</summary>
[CsvRecord]
public sealed partial class ReviewCsvRow
{
    public string Number { get; set; } = "";
    public string Package { get; set; } = "";
    public string CurrentVersion { get; set; } = "";
    public string LatestVersion { get; set; } = "";
    public string PyPiLink { get; set; } = "";
    public string DatePublished { get; set; } = "";
    public string LatestReleaseDate { get; set; } = "";
    public string Requires { get; set; } = "";
    public string DevelopmentStatus { get; set; } = "";
    public string GitHubUrl { get; set; } = "";
    public string License { get; set; } = "";
    public string Author { get; set; } = "";
    public string Summary { get; set; } = "";
    public string NistNvd { get; set; } = "";
    public string MitreCve { get; set; } = "";
    public string Snyk { get; set; } = "";
    public string ExploitDb { get; set; } = "";
    public string GitHubAdvisory { get; set; } = "";
    public string VulnerabilityCount { get; set; } = "";
    public string HighestSeverity { get; set; } = "";
    public string Recommendation { get; set; } = "";
    public string ReviewCostUsd { get; set; } = "";
    public string Notes { get; set; } = "";

    public static ReviewCsvRow From(ReviewRow row)
    {
        var c = row.Cells;
        return new ReviewCsvRow
        {
            Number = c[0], Package = c[1], CurrentVersion = c[2], LatestVersion = c[3], PyPiLink = c[4], DatePublished = c[5], LatestReleaseDate = c[6],
            Requires = c[7], DevelopmentStatus = c[8], GitHubUrl = c[9], License = c[10], Author = c[11], Summary = c[12], NistNvd = c[13],
            MitreCve = c[14], Snyk = c[15], ExploitDb = c[16], GitHubAdvisory = c[17], VulnerabilityCount = c[18], HighestSeverity = c[19],
            Recommendation = c[20], ReviewCostUsd = c[21], Notes = c[22],
        };
    }
}

/// <summary>
/// Issue 13: saving one shared file per item (the seed's starting point) against each batch policy. A file that already
/// holds <see cref="FileRows"/> review rows (486, the seed's workbook, or 50,000) gets <see cref="Updates"/> updated rows
/// per invocation, as .xlsx (the sample's MiniExcel workbook) and as CSV (<see cref="CsvSharedFileFormat{T}"/>). Every save
/// is the whole crash-safe path: temp file, fsync, read-back through the format, backup, rename, folder fsync, checkpoint.
/// The baseline is <c>PerItem</c> in the same run; the ratios are the closing note's figures.
/// One invocation is a whole job of <see cref="Updates"/> items; no warmup (the setup's save of the whole file has
/// already run every code path) and 2 iterations, so that the 50,000-row per-item workbook (a save of tens of
/// seconds, <see cref="Updates"/> times per invocation) finishes within an hour on 2 cores.
/// </summary>
[WarmupCount(0)]
[IterationCount(2)]
[InvocationCount(1, 1)]
public class SharedFileBatchBenchmarks
{
    private string _directory = "";
    private int _round;

    /// <summary>The file format.</summary>
    [Params("xlsx", "csv")]
    public string Format { get; set; } = "xlsx";

    /// <summary>The rows the file holds.</summary>
    [ParamsSource(nameof(FileRowsValues))]
    public int FileRows { get; set; }

    /// <summary>
    /// Rows updated per invocation (each item of the job), the same for every policy of a file size: 24 of the 486-row
    /// file, 10 of the 50,000-row one (per item is then 10 saves of the whole file per invocation), 6 under --smoke.
    /// </summary>
    public int Updates => BenchData.Smoke ? 6 : FileRows >= 10_000 ? 10 : 24;

    /// <summary>486 and 50,000 rows; 60 and 600 under --smoke; or the comma-separated sizes of CHECKPOINTING_BENCH_SHARED_ROWS.</summary>
    public static IEnumerable<int> FileRowsValues =>
        Environment.GetEnvironmentVariable("CHECKPOINTING_BENCH_SHARED_ROWS") is { Length: > 0 } sizes
            ? sizes.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            : BenchData.Smoke ? [60, 600] : [486, 50_000];

    [GlobalSetup]
    public void Setup()
    {
        _directory = BenchData.NewDirectory("shared-file");
        var rows = Enumerable.Range(1, FileRows).Select(n => Row(n, 0)).ToList();
        // One big batch writes the starting file and its checkpoint.
        Run(SharedFileBatchPolicy.Items(FileRows), rows).GetAwaiter().GetResult();
        Console.WriteLine($"// Setup: {Format}, {FileRows} rows, {new FileInfo(Path.Combine(_directory, "bench", "review." + Format)).Length} bytes, {Updates} updates per invocation");
    }

    [GlobalCleanup]
    public void Cleanup() => BenchData.TryDelete(_directory);

    [Benchmark(Baseline = true, Description = "per item")]
    public Task PerItem() => Update(SharedFileBatchPolicy.PerItem);

    [Benchmark(Description = "every 5 items")]
    public Task Items5() => Update(SharedFileBatchPolicy.Items(5));

    [Benchmark(Description = "every 30 s")]
    public Task Every30s() => Update(SharedFileBatchPolicy.Every(TimeSpan.FromSeconds(30)));

    [Benchmark(Description = "adaptive (8 rows' bytes)")]
    public Task Adaptive() => Update(SharedFileBatchPolicy.Adaptive(8 * 700, maxItems: 50));

    [Benchmark(Description = "every 5 items or 30 s or adaptive")]
    public Task Combined() => Update(SharedFileBatchPolicy.Items(5).Or(SharedFileBatchPolicy.Every(TimeSpan.FromSeconds(30))).Or(SharedFileBatchPolicy.Adaptive(8 * 700)));

    private Task Update(SharedFileBatchPolicy policy)
    {
        // New values each invocation, for rows spread over the file.
        var round = ++_round;
        var rows = Enumerable.Range(0, Updates).Select(i => Row(1 + (int)((long)i * FileRows / Updates), round)).ToList();
        return Run(policy, rows);
    }

    private async Task Run(SharedFileBatchPolicy policy, List<ReviewRow> rows)
    {
        var options = new SharedFileOptions { Root = _directory, RunId = "bench", Name = "review", FileName = "review." + Format, Policy = policy };
        if (Format == "xlsx")
        {
            await Save(new ReviewWorkbookFormat(), options, rows.Select(r => (r.Package, r)));
        }
        else
        {
            await Save(new CsvSharedFileFormat<ReviewCsvRow>(r => r.Package), options, rows.Select(r => (r.Package, ReviewCsvRow.From(r))));
        }
    }

    private static async Task Save<TRow>(ISharedFileFormat<TRow> format, SharedFileOptions options, IEnumerable<(string Key, TRow Row)> rows)
    {
        await using var batches = await SharedFileBatches<TRow>.OpenAsync(format, options);
        var first = batches.LastBatch;
        foreach (var (key, row) in rows)
        {
            await batches.AddAsync(key, row);
        }

        await batches.CompleteAsync();
        var reused = format is ReviewWorkbookFormat workbook ? $", previous rows reused {workbook.PreviousRowsReused} time(s)" : "";
        Console.WriteLine($"// {options.FileName}, {options.Policy}: {batches.LastBatch - first} save(s) of the whole file{reused}");
    }

    private static ReviewRow Row(int n, int round)
    {
        var name = $"package-{n:D6}";
        return new ReviewRow(
        [
            n.ToString(System.Globalization.CultureInfo.InvariantCulture), name, "2.31.0", "2.32." + round, $"https://pypi.org/project/{name}/", "2023-05-22", "2024-05-29",
            ">=3.8", "5 - Production/Stable", $"https://github.com/psf/{name}", "Apache-2.0", "Kenneth Reitz", $"{name}: Python HTTP for Humans.",
            "None found", "None found", "1 found", "None found", "None found", "1", "MEDIUM", $"Update to 2.32.{round} (fixes 1)", "0.0015", "",
        ]);
    }
}
