using Checkpointing.Tests.Support;
using Checkpointing.TestSupport;
using Microsoft.Extensions.Logging;
using Polly;
using Checkpointing.Store;

namespace Checkpointing.Tests.Paid;

/// <summary>
/// A stage whose items are "paid calls": each attempt adds its cost before it succeeds or throws, so the
/// tests can check where every cent went.
/// </summary>
public sealed class PaidStage(string name = "paid")
{
    private int _calls;

    public int Calls => _calls;

    public TimeSpan Delay { get; set; }

    /// <summary>What an attempt costs: (page, attempt) -> USD.</summary>
    public Func<int, int, decimal> Cost { get; set; } = (_, _) => 0.01m;

    /// <summary>Whether an attempt throws (after adding its cost): (page, attempt) -> exception or null.</summary>
    public Func<int, int, Exception?> Fail { get; set; } = (_, _) => null;

    public string Version { get; set; } = "v1";

    /// <summary>Awaited before each attempt (e.g. to hold the work until the previous item is marked).</summary>
    public Func<int, Task>? BeforeWork { get; set; }

    public StageDefinition<int, PageText> Definition => new()
    {
        StageName = name,
        GetKey = CheckpointKeys.From,
        OutputTypeInfo = TestJsonContext.Default.PageText,
        ProcessAsync = async (page, context, ct) =>
        {
            Interlocked.Increment(ref _calls);
            if (BeforeWork is { } before)
            {
                await before(page);
            }

            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, ct);
            }

            PaidCall.Charge(context, Cost(page, context.Attempt), Fail(page, context.Attempt));
            return new PageText(page, $"{Version} text of page {page}");
        },
    };

    public static StageRunOptions Options(
        TempDirectory dir, int parallel = 1, decimal? budget = null, decimal? totalBudget = null, ILogger? logger = null,
        IProgress<StageProgress>? progress = null, ResiliencePipeline? pipeline = null, IReadOnlyCollection<string>? redo = null,
        string? reason = null, ItemFailurePolicy failure = ItemFailurePolicy.FailStage) => new()
    {
        Root = dir.Path,
        RunId = "book-7",
        MaxDegreeOfParallelism = parallel,
        CostBudgetUsd = budget,
        TotalCostBudgetUsd = totalBudget,
        Logger = logger,
        Progress = progress,
        ItemPipeline = pipeline,
        RedoKeys = redo,
        RedoReason = reason,
        ItemFailurePolicy = failure,
    };

    public static StageCheckpointDocument State(TempDirectory dir, string stage = "paid") => FileCheckpointStore.ReadState(dir.Path, "book-7", stage)!;

    public static string SnapshotText(TempDirectory dir, string stage = "paid") => File.ReadAllText(dir.Combine("book-7", "checkpoints", stage + ".json"));
}
