using BenchmarkDotNet.Attributes;
using Checkpointing.PostgreSql;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 15: completed items per second on the PostgreSQL store with 1, 4 and 8 workers sharing one stage,
/// each worker a <see cref="StageRunner"/> with its own <see cref="PostgresCheckpointStore"/> (its own
/// connection pool and worker name, as a separate process has) and 4 parallel items, against the file store
/// on one machine with the same total parallelism (one runner: the file store locks a stage to one process).
/// One invocation is a whole stage of <see cref="Items"/> items (2,000; 400 under --quick, 40 under --smoke)
/// of <see cref="WorkMs"/> ms, in a fresh run. Needs <c>CHECKPOINTING_POSTGRES</c>; without it Program
/// filters this class out, saying so.
/// </summary>
[WarmupCount(1)]
[IterationCount(5)]
[InvocationCount(1, 1)]
public class PostgresStoreBenchmarks
{
    public const string ConnectionVariable = "CHECKPOINTING_POSTGRES";

    private const int ParallelPerWorker = 4;

    private int[] _items = [];
    private string _root = "";
    private string _runId = "";
    private PostgresCheckpointStore[] _stores = [];
    private StageDefinition<int, PageOutput> _definition = null!;

    [Params(1, 4, 8)]
    public int Workers { get; set; }

    [Params(0, 5)]
    public int WorkMs { get; set; }

    public static int Items => BenchData.Smoke ? 40 : BenchData.Quick ? 400 : 2_000;

    public static bool Available => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ConnectionVariable));

    [GlobalSetup]
    public void Setup()
    {
        _items = Enumerable.Range(0, Items).ToArray();
        _definition = new StageDefinition<int, PageOutput>
        {
            StageName = "ocr",
            GetKey = CheckpointKeys.From,
            ProcessAsync = async (item, context, ct) =>
            {
                if (WorkMs > 0)
                {
                    await Task.Delay(WorkMs, ct);
                }

                context.AddCost(0.001m);
                return new PageOutput(CheckpointKeys.From(item), "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", item % 700);
            },
            OutputTypeInfo = BenchJsonContext.Default.PageOutput,
        };
        var connection = Environment.GetEnvironmentVariable(ConnectionVariable)
            ?? throw new InvalidOperationException($"{ConnectionVariable} is not set.");
        _stores = Enumerable.Range(0, Workers)
            .Select(i => new PostgresCheckpointStore(connection, new PostgresCheckpointStoreOptions { Schema = "bench", WorkerName = $"bench-{i}" }))
            .ToArray();
        _stores[0].EnsureSchemaAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var store in _stores)
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [IterationSetup]
    public void NewRun()
    {
        _root = BenchData.NewDirectory("postgres");
        _runId = "run-" + Guid.NewGuid().ToString("N")[..8];
    }

    [IterationCleanup]
    public void DeleteFolder() => BenchData.TryDelete(_root);

    [Benchmark(Baseline = true, Description = "File store, 1 process")]
    public async Task FileStore()
    {
        var result = await StageRunner.RunAsync(_definition, _items, new StageRunOptions
        {
            Root = _root,
            RunId = _runId,
            MaxDegreeOfParallelism = ParallelPerWorker * Workers,
        });
        Check(result.Processed);
    }

    [Benchmark(Description = "PostgreSQL, N workers")]
    public async Task Postgres()
    {
        var results = await Task.WhenAll(_stores.Select(store => StageRunner.RunAsync(_definition, _items, new StageRunOptions
        {
            Root = _root,
            RunId = _runId,
            Store = store,
            MaxDegreeOfParallelism = ParallelPerWorker,
        })));
        Check(results.Sum(r => r.Processed));
    }

    private static void Check(int processed)
    {
        if (processed != Items)
        {
            throw new InvalidOperationException($"Processed {processed} of {Items}.");
        }
    }
}
