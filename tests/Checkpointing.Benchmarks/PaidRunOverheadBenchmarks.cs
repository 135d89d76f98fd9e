using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Polly;
using Checkpointing.Telemetry;

namespace Checkpointing.Benchmarks;

/// <summary>
/// Issue 11: the overhead of <see cref="StageRunOptions.ItemPipeline"/> (the default retry pipeline, with no
/// failures) and of telemetry (a MeterListener on every instrument and an ActivityListener recording every
/// item's activity, as an OpenTelemetry SDK would) on a stage of 10,000 items (under --quick too, which runs
/// it in process; 100 under --smoke) whose work takes 0 ms, 8 in parallel, as ratios to the same run with neither. Marks are
/// made durable once a second so that the disk (the atomic save of each output) hides as little as possible.
/// </summary>
// A run is a whole 10,000-item stage (tens of seconds on a loaded machine): the first (jitting) run warms up.
[WarmupCount(0)]
[IterationCount(3)]
[InvocationCount(1, 1)]
public class PaidRunOverheadBenchmarks
{
    private const int Parallelism = 8;

    private PageInput[] _items = [];
    private string _root = "";
    private StageDefinition<PageInput, PageOutput> _definition = null!;
    private ResiliencePipeline _pipeline = null!;
    private MeterListener? _meters;
    private ActivityListener? _tracing;
    private double _observed;

    public int Items => BenchData.Smoke ? 100 : 10_000;

    [GlobalSetup]
    public void Setup()
    {
        _items = Enumerable.Range(0, Items).Select(i => new PageInput(BenchData.Key(i), i)).ToArray();
        _pipeline = ItemPipelines.RetryTransient();
        _definition = new StageDefinition<PageInput, PageOutput>
        {
            StageName = "llm",
            GetKey = item => item.Key,
            ProcessAsync = (item, context, ct) =>
            {
                context.AddCost(0.0001m);
                return ValueTask.FromResult(new PageOutput(item.Key, "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", item.Number % 700));
            },
            OutputTypeInfo = BenchJsonContext.Default.PageOutput,
        };
    }

    [GlobalSetup(Targets = [nameof(WithTelemetry), nameof(WithPipelineAndTelemetry)])]
    public void SetupWithListeners()
    {
        Setup();
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CheckpointingTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((_, value, _, _) => _observed += value);
        _meters.SetMeasurementEventCallback<double>((_, value, _, _) => _observed += value);
        _meters.Start();
        _tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CheckpointingTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _observed += activity.Duration.Ticks > 0 ? 1 : 0,
        };
        ActivitySource.AddActivityListener(_tracing);
    }

    [GlobalCleanup(Targets = [nameof(WithTelemetry), nameof(WithPipelineAndTelemetry)])]
    public void StopListeners()
    {
        _meters?.Dispose();
        _tracing?.Dispose();
        GC.KeepAlive(_observed);
    }

    [IterationSetup]
    public void NewFolder() => _root = BenchData.NewDirectory("paid");

    [IterationCleanup]
    public void DeleteFolder() => BenchData.TryDelete(_root);

    [Benchmark(Baseline = true, Description = "StageRunner, no pipeline, no listeners")]
    public Task<StageRunResult> Plain() => RunAsync(pipeline: null);

    [Benchmark(Description = "ItemPipeline = RetryTransient()")]
    public Task<StageRunResult> WithPipeline() => RunAsync(_pipeline);

    [Benchmark(Description = "Telemetry listened to")]
    public Task<StageRunResult> WithTelemetry() => RunAsync(pipeline: null);

    [Benchmark(Description = "Both")]
    public Task<StageRunResult> WithPipelineAndTelemetry() => RunAsync(_pipeline);

    private async Task<StageRunResult> RunAsync(ResiliencePipeline? pipeline)
    {
        var result = await StageRunner.RunAsync(_definition, _items, new StageRunOptions
        {
            Root = _root,
            RunId = "run",
            MaxDegreeOfParallelism = Parallelism,
            CommitPolicy = CommitPolicy.Every(TimeSpan.FromSeconds(1)),
            ItemPipeline = pipeline,
        });
        if (result.Processed != Items)
        {
            throw new InvalidOperationException($"Processed {result.Processed} of {Items}.");
        }

        return result;
    }
}
