using Checkpointing.Csv;
using Checkpointing.Tests.Support;

namespace Checkpointing.Tests.Lsi;

/// <summary>
/// Kills a real child process (SIGKILL) while it appends LSI rows to a cumulative checkpoint CSV, again and
/// again, and checks after each kill: only whole rows (a torn tail at most, which reopening trims), no book
/// twice, every book the child confirmed present; and that the final batch file is byte for byte the one an
/// uninterrupted run writes.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class CumulativeCsvKillTests : IDisposable
{
    // Enough books, paced by the child, that a loaded machine (slow to notice and deliver kills) does not let
    // the child finish before the kills are done.
    private const int Books = 600;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cumcsv-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string[] Args(string directory) => ["csv", "--dir", directory, "--books", Books.ToString(), "--delay-ms", "10"];

    private static readonly Func<KillTestLsiBook, string> Key = b => b.Isbn;

    [Fact]
    public async Task Killed_during_appends_the_checkpoint_keeps_whole_rows_no_duplicates_and_loses_nothing()
    {
        var reference = Path.Combine(_root, "reference");
        using (var run = WorkerProcess.Start(Args(reference)))
        {
            Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        }

        var crashed = Path.Combine(_root, "crashed");
        var confirmed = new HashSet<string>(StringComparer.Ordinal);
        var random = new Random(4);
        var kills = 0;
        for (var attempt = 0; attempt < 12; attempt++)
        {
            using var run = WorkerProcess.Start(Args(crashed));
            var target = random.Next(1, 20);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!run.HasExited && run.Lines.Count(l => l.StartsWith("APPENDED ", StringComparison.Ordinal)) < target && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1);
            }

            // Part of the kills land at a random instant after the target: mid-write, mid-fsync, mid-recovery.
            await Task.Delay(random.Next(0, 4));
            var exited = run.HasExited;
            run.Kill();
            kills += exited ? 0 : 1;
            foreach (var line in run.Lines.Where(l => l.StartsWith("APPENDED ", StringComparison.Ordinal) || l.StartsWith("SKIPPED ", StringComparison.Ordinal)))
            {
                confirmed.Add(line[(line.IndexOf(' ') + 1)..]);
            }

            AssertInvariants(crashed, confirmed, $"after kill {attempt + 1}");
            if (exited)
            {
                break;
            }
        }

        Assert.True(kills >= 8, $"only {kills} runs were killed before finishing");
        using (var final = WorkerProcess.Start(Args(crashed)))
        {
            Assert.Equal(0, await final.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            Assert.Contains(final.Lines, l => l.StartsWith($"RESULT rows={Books} ", StringComparison.Ordinal));
        }

        var referenceBatch = Path.Combine(reference, "batch", "xynapse_tranche_1.csv");
        var crashedBatch = Path.Combine(crashed, "batch", "xynapse_tranche_1.csv");
        Assert.Equal(File.ReadAllBytes(referenceBatch), File.ReadAllBytes(crashedBatch));
        var checkpoint = CumulativeCsv.FindLatest(crashed, "xynapse_traces")!;
        var report = CumulativeCsv.Validate(checkpoint, Key);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(Books, report.Rows);
        Assert.True(CumulativeCsv.Compare(checkpoint, crashedBatch, Key).IsIdentical);
    }

    private static void AssertInvariants(string directory, HashSet<string> confirmed, string when)
    {
        var path = CumulativeCsv.FindLatest(directory, "xynapse_traces");
        if (path is null)
        {
            Assert.Empty(confirmed);
            return;
        }

        var report = CumulativeCsv.Validate(path, Key);
        Assert.True(report.HeaderMatches || new FileInfo(path).Length == 0, $"{when}: {string.Join("; ", report.Errors)}");

        // The only problem a kill may leave is a partial last row, which reopening trims.
        var problems = report.Errors.Where(e => !e.Contains("partial last row", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count == 0, $"{when}: {string.Join("\n", problems)}");
        var keys = ReadKeys(path);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        var lost = confirmed.Where(k => !keys.Contains(k)).ToList();
        Assert.True(lost.Count == 0, $"{when}: confirmed books missing from the checkpoint: {string.Join(", ", lost)}");
    }

    private static List<string> ReadKeys(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var end = bytes.AsSpan().LastIndexOf((byte)'\n') + 1;
        using var reader = CsvHelper.CsvReader.Create(new ReadOnlyMemory<byte>(bytes, 0, end), CsvHelper.CsvReaderOptions.For<KillTestLsiBook>());
        return reader.GetRecords<KillTestLsiBook>().Select(b => b.Isbn).ToList();
    }
}

/// <summary>The columns of the worker's <c>WorkerLsiBook</c> (tests/Checkpointing.Worker/CsvCommand.cs), to read its files.</summary>
[Checkpointing.Lsi.LsiRecord(Template = "lsi_acs_template.csv")]
public sealed partial class KillTestLsiBook
{
    [Checkpointing.Lsi.LsiColumn("ISBN or SKU", Required = true, Format = Checkpointing.Lsi.LsiFormat.Isbn)] public string Isbn { get; set; } = "";
    [Checkpointing.Lsi.LsiColumn("Title", Required = true)] public string Title { get; set; } = "";
    [Checkpointing.Lsi.LsiColumn("Pub Date")] public DateOnly? PubDate { get; set; }
    [Checkpointing.Lsi.LsiColumn("US Suggested List Price", Format = Checkpointing.Lsi.LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
    [Checkpointing.Lsi.LsiColumn("US Wholesale Discount", Format = Checkpointing.Lsi.LsiFormat.Percent)] public decimal? UsDiscount { get; set; }
    [Checkpointing.Lsi.LsiColumn("Pages")] public int? Pages { get; set; }
    [Checkpointing.Lsi.LsiColumn("Annotation / Summary")] public string? Summary { get; set; }
}

/// <summary>
/// Runs alone, after the parallel tests: its child processes would otherwise take the CPU that the timing of
/// the other crash tests (kills after N confirmed items) depends on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildProcessCollection
{
    public const string Name = "LSI child processes";
}
