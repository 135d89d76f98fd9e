using BenchmarkDotNet.Attributes;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 6, goal 4: a stage of 10,000 items (1,000 under --quick, 100 under --smoke) whose work is a simulated call of
/// <see cref="WorkMs"/> ms, 8 in parallel, through <see cref="StageRunner"/> (save output atomically, then
/// a durable mark, <see cref="CommitPolicy.EveryItem"/>) against the same loop with no checkpointing
/// (<see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/>
/// writing nothing). One invocation is a whole stage, each in a fresh folder.
/// </summary>
[WarmupCount(1)]
[IterationCount(3)]
[InvocationCount(1, 1)]
public class EndToEndBenchmarks
{
    private const int Parallelism = 8;

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

    [IterationSetup(Targets = [nameof(Checkpointed), nameof(CheckpointedEverySecond)])]
    public void NewFolder() => _root = BenchData.NewDirectory("e2e");

    [IterationCleanup(Targets = [nameof(Checkpointed), nameof(CheckpointedEverySecond)])]
    public void DeleteFolder() => BenchData.TryDelete(_root);

    [GlobalCleanup(Target = nameof(NoCheckpointing))]
    public void PeakBaseline() => BenchData.RecordPeakWorkingSet($"EndToEnd(NoCheckpointing, {WorkMs} ms, {Items} items)");

    [GlobalCleanup(Target = nameof(Checkpointed))]
    public void PeakCheckpointed() => BenchData.RecordPeakWorkingSet($"EndToEnd(Checkpointed, {WorkMs} ms, {Items} items)");

    [GlobalCleanup(Target = nameof(CheckpointedEverySecond))]
    public void PeakEverySecond() => BenchData.RecordPeakWorkingSet($"EndToEnd(Checkpointed every 1 s, {WorkMs} ms, {Items} items)");

    [Benchmark(Baseline = true, Description = "No checkpointing")]
    public Task NoCheckpointing() =>
        Parallel.ForEachAsync(_items, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (item, ct) =>
        {
            var output = await PageStage.WorkAsync(item, WorkMs, ct);
            GC.KeepAlive(output);
        });

    [Benchmark(Description = "StageRunner, EveryItem")]
    public Task<StageRunResult> Checkpointed() => RunStageAsync(CommitPolicy.EveryItem);

    // Marks made durable once a second: what is left of the overhead is the atomic save of each output.
    [Benchmark(Description = "StageRunner, Every(1 s)")]
    public Task<StageRunResult> CheckpointedEverySecond() => RunStageAsync(CommitPolicy.Every(TimeSpan.FromSeconds(1)));

    private Task<StageRunResult> RunStageAsync(CommitPolicy policy) =>
        PageStage.RunAsync(_definition, _items, new StageRunOptions
        {
            Root = _root,
            RunId = "run",
            MaxDegreeOfParallelism = Parallelism,
            CommitPolicy = policy,
        });
}

public sealed record PageInput(string Key, int Number);
