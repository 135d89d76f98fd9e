using BenchmarkDotNet.Attributes;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 16, item 6: what bounding the finished-but-unsaved outputs costs. A whole stage (10,000 items;
/// 1,000 under --quick, 100 under --smoke) of <see cref="WorkMs"/> ms items, 4 workers, EveryItem, through
/// <see cref="StageRunner"/>: one save slot per saver (today: at most 2 x 4 items at risk at a kill)
/// against the queue it replaced (2 x 4 queued on top of the 4 being saved: up to 4 x 4 at risk), in the
/// same run. One invocation is a whole stage, each in a fresh folder.
/// </summary>
[WarmupCount(1)]
[IterationCount(5)]
[InvocationCount(1, 1)]
public class SaveQueueBenchmarks
{
    private const int Parallelism = 4;

    private PageInput[] _items = [];
    private string _root = "";
    private StageDefinition<PageInput, PageOutput> _definition = null!;

    [Params(0, 20)]
    public int WorkMs { get; set; }

    public int Items => BenchData.EndToEndItems;

    [GlobalSetup]
    public void Setup()
    {
        _items = PageStage.Items(Items);
        _definition = PageStage.Definition(() => WorkMs);
    }

    [IterationSetup]
    public void NewFolder() => _root = BenchData.NewDirectory("save-queue");

    [IterationCleanup]
    public void DeleteFolder() => BenchData.TryDelete(_root);

    [Benchmark(Baseline = true, Description = "Queue of 2 x workers (before)")]
    public Task<StageRunResult> UnboundedQueue() => RunAsync(unbounded: true);

    [Benchmark(Description = "One slot per saver")]
    public Task<StageRunResult> OneSlotPerSaver() => RunAsync(unbounded: false);

    private Task<StageRunResult> RunAsync(bool unbounded) =>
        PageStage.RunAsync(_definition, _items, new StageRunOptions
        {
            Root = _root,
            RunId = "run",
            MaxDegreeOfParallelism = Parallelism,
            UnboundedSaveQueue = unbounded,
        });
}
