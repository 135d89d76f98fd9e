extern alias LsiGenerators;

using Checkpointing.Generators.Checkpointed;
using System.Reflection;
using System.Runtime.Loader;
using LsiGenerators::Checkpointing.Generators.CumulativeCsv;
using LsiGenerators::Checkpointing.Generators.Lsi;
using Checkpointing.Generators.Tests.Infrastructure;
using Checkpointing.Store;
using static Checkpointing.Generators.Tests.Checkpointed.CheckpointedTestSources;

namespace Checkpointing.Generators.Tests.Checkpointed;

/// <summary>
/// Compiles an [LsiRecord] stage with <c>[CumulativeCsv]</c> through the three generators, runs it over real
/// files and checks the cumulative CSV: one row per completed book, and after a failure and a resume each
/// book once and a finalized batch identical to an uninterrupted run's.
/// </summary>
public sealed class CheckpointedCumulativeCsvTests : IDisposable
{
    private const string StageSource = """
        namespace EndToEnd
        {
            using Checkpointing.Lsi;

            [LsiRecord]
            public partial class LsiBook
            {
                [LsiColumn("ISBN or SKU", Required = true, Format = LsiFormat.Isbn)] public string Isbn { get; set; } = "";
                [LsiColumn("Title")] public string? Title { get; set; }
                [LsiColumn("US Suggested List Price", Format = LsiFormat.UsdPrice)] public decimal? UsPrice { get; set; }
            }

            [Checkpointed("lsi")]
            [Checkpointing.Csv.CumulativeCsv("xynapse_traces")]
            public partial class LsiRowStage
            {
                public string? FailAt { get; set; }

                [ProcessItem]
                private async Task<LsiBook> BuildAsync(string isbn, CancellationToken cancellationToken)
                {
                    await Task.Delay(isbn[^2] % 5, cancellationToken);
                    if (isbn == FailAt)
                    {
                        throw new InvalidOperationException("injected failure at " + isbn);
                    }

                    return new LsiBook { Isbn = isbn, Title = "Book " + isbn, UsPrice = 19.99m };
                }
            }
        }
        """;

    private static readonly List<string> Isbns = Enumerable.Range(1, 20).Select(i =>
    {
        var stem = "97819" + (40000 + i).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
        var sum = stem.Select((c, n) => (c - '0') * (n % 2 == 0 ? 1 : 3)).Sum();
        return stem + (char)('0' + ((10 - (sum % 10)) % 10));
    }).ToList();

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-csv-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Saved_outputs_are_in_the_csv_once_and_a_resumed_batch_equals_an_uninterrupted_one()
    {
        var context = new AssemblyLoadContext("checkpointed-csv", isCollectible: true);
        try
        {
            var stageType = Compile(context);
            var findCsv = stageType.GetMethod("FindCumulativeCsv", BindingFlags.Public | BindingFlags.Static)!;

            // Uninterrupted: every book is in the CSV once.
            var straight = Path.Combine(_root, "straight");
            Assert.Null(findCsv.Invoke(null, [straight, "run-1"]));
            var result = await RunAsync(stageType, straight, failAt: null);
            Assert.Equal((20, 0), (result.Processed, result.Failed));
            var straightCsv = (string)findCsv.Invoke(null, [straight, "run-1"])!;
            Assert.Equal(Path.Combine(straight, "run-1"), Path.GetDirectoryName(straightCsv));
            Assert.Equal(Isbns.Order(StringComparer.Ordinal), CsvKeys(straightCsv).Order(StringComparer.Ordinal));
            var straightBatch = await FinalizeAsync(stageType, straight);

            // Interrupted at the 8th book: the CSV holds exactly the books the stage marked complete.
            var resumed = Path.Combine(_root, "resumed");
            // (The stage's own checkpoint is the reference: books in flight when the failure stopped the run may
            // still have been marked after the failure's result was taken.)
            await Assert.ThrowsAsync<StageFailedException>(() => RunAsync(stageType, resumed, failAt: Isbns[7]));
            var status = (StageCheckpointDocument)stageType.GetMethod("ReadStatus", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [resumed, "run-1"])!;
            var completed = status.CompletedCount;
            Assert.InRange(completed, 5, 19); // at least the books before the third-to-last one started

            var keys = CsvKeys((string)findCsv.Invoke(null, [resumed, "run-1"])!);
            Assert.Equal(completed, keys.Count);
            Assert.Equal(keys.Count, keys.Distinct().Count());
            Assert.DoesNotContain(Isbns[7], keys);

            // Resumed: the rest are added, none twice. A book saved but not marked when the failure stopped the
            // run (its append was cancelled) is adopted from its output, not redone, and gets its row then.
            var second = await RunAsync(stageType, resumed, failAt: null);
            Assert.Equal(20, second.Processed + second.Skipped);
            Assert.True(second.Skipped >= completed);

            // A book whose output is lost is redone and replaces its row rather than adding one.
            File.Delete(Path.Combine(resumed, "run-1", "lsi", Isbns[2] + ".json"));
            var third = await RunAsync(stageType, resumed, failAt: null);
            Assert.Equal(1, third.Processed);

            var resumedCsv = (string)findCsv.Invoke(null, [resumed, "run-1"])!;
            Assert.Equal(Isbns.Order(StringComparer.Ordinal), CsvKeys(resumedCsv).Order(StringComparer.Ordinal));
            var resumedBatch = await FinalizeAsync(stageType, resumed);
            Assert.Equal(File.ReadAllBytes(straightBatch), File.ReadAllBytes(resumedBatch));
        }
        finally
        {
            context.Unload();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static Type Compile(AssemblyLoadContext context)
    {
        var compilation = GeneratorHarness.CreateCompilation(Usings + StageSource);
        GeneratorHarness.CreateDriver(null, new CheckpointedGenerator(), new LsiRecordGenerator(), new CumulativeCsvGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Equal(["CKPT113"], generatorDiagnostics.Select(d => d.Id).Distinct().ToArray());
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return context.LoadFromStream(new MemoryStream(stream.ToArray())).GetType("EndToEnd.LsiRowStage", throwOnError: true)!;
    }

    private static StageRunOptions Options(string root) => new() { Root = root, RunId = "run-1", MaxDegreeOfParallelism = 3 };

    private static async Task<StageRunResult> RunAsync(Type stageType, string root, string? failAt)
    {
        var stage = Activator.CreateInstance(stageType)!;
        stageType.GetProperty("FailAt")!.SetValue(stage, failAt);
        return await (Task<StageRunResult>)stageType.GetMethod("RunAsync")!.Invoke(stage, [Isbns, Options(root), CancellationToken.None])!;
    }

    /// <summary>Opens the run's cumulative CSV as a user would after the stage and writes the batch in ISBN order.</summary>
    private static async Task<string> FinalizeAsync(Type stageType, string root)
    {
        var open = (Task)stageType.GetMethod("OpenCumulativeCsvAsync", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [Options(root), CancellationToken.None])!;
        await open;
        var checkpoint = open.GetType().GetProperty("Result")!.GetValue(open)!;
        await using var disposable = (IAsyncDisposable)checkpoint;
        var batch = Path.Combine(root, "run-1", "lsi_csv", "run-1_lsi.csv");
        var finalize = checkpoint.GetType().GetMethod("FinalizeAsync", [typeof(string), typeof(IComparer<string>), typeof(CancellationToken)])!;
        var rows = await (Task<int>)finalize.Invoke(checkpoint, [batch, StringComparer.Ordinal, CancellationToken.None])!;
        Assert.Equal(20, rows);
        return batch;
    }

    /// <summary>The first field of each row after the header (no field in these rows holds a line break).</summary>
    private static List<string> CsvKeys(string path) =>
        File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[0].Trim('"')).ToList();
}
