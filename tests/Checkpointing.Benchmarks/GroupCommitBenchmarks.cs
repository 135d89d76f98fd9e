using BenchmarkDotNet.Attributes;
using Checkpointing.Store;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 6, goal 2: durable marks per second with concurrent workers under <see cref="CommitPolicy.EveryItem"/>.
/// Each invocation makes <see cref="MarksPerInvoke"/> marks split across the workers; every mark is
/// durable when its call returns, so throughput above one fsync per mark comes only from group commit.
/// The Ops/s column is marks per second; docs/benchmarks.md gives the ratios to the single worker.
/// </summary>
public class GroupCommitBenchmarks
{
    private const int MarksPerInvoke = 256;
    private const int KeyCount = 4096;

    private string _root = "";
    private ICheckpointJournal _journal = null!;
    private string[] _keys = [];
    private int _next;

    [Params(1, 4, 16, 64)]
    public int Workers { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = BenchData.NewDirectory("group-" + Workers);
        _keys = Enumerable.Range(0, KeyCount).Select(BenchData.Key).ToArray();
        _journal = await new FileCheckpointStore(_root).OpenAsync(
            new CheckpointOpenRequest { RunId = "run", StageName = "ocr", OutputDirectory = "ocr", CommitPolicy = CommitPolicy.EveryItem },
            default);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _journal.DisposeAsync();
        BenchData.TryDelete(_root);
    }

    [Benchmark(OperationsPerInvoke = MarksPerInvoke, Description = "Durable marks")]
    public Task Marks()
    {
        var perWorker = MarksPerInvoke / Workers;
        var workers = new Task[Workers];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < perWorker; i++)
                {
                    var key = _keys[(Interlocked.Increment(ref _next) & int.MaxValue) % KeyCount];
                    await _journal.AppendAsync(
                        new CheckpointRecord { Type = CheckpointRecordType.Completed, At = DateTimeOffset.UtcNow, Key = key, CostUsd = 0.0123m },
                        AppendDurability.Policy, default);
                }
            });
        }

        return Task.WhenAll(workers);
    }
}
