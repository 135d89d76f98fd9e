namespace Checkpointing.Benchmarks;

/// <summary>
/// The stage the whole-stage benchmarks run (<see cref="EndToEndBenchmarks"/>, <see cref="SaveQueueBenchmarks"/>):
/// one <see cref="PageOutput"/> per <see cref="PageInput"/> after a simulated call of some milliseconds, through
/// <see cref="StageRunner"/>, checked to have processed every item.
/// </summary>
internal static class PageStage
{
    /// <summary>The items <c>0</c> to <paramref name="count"/> - 1.</summary>
    public static PageInput[] Items(int count) => Enumerable.Range(0, count).Select(i => new PageInput(BenchData.Key(i), i)).ToArray();

    /// <summary>The stage <c>ocr</c>, whose work takes <paramref name="workMs"/>() ms per item (read at each item).</summary>
    public static StageDefinition<PageInput, PageOutput> Definition(Func<int> workMs) => new()
    {
        StageName = "ocr",
        GetKey = item => item.Key,
        ProcessAsync = (item, context, ct) => WorkAsync(item, workMs(), ct),
        OutputTypeInfo = BenchJsonContext.Default.PageOutput,
    };

    /// <summary>The work of one item: a delay of <paramref name="workMs"/> ms (none at 0), then its output.</summary>
    public static async ValueTask<PageOutput> WorkAsync(PageInput item, int workMs, CancellationToken ct)
    {
        if (workMs > 0)
        {
            await Task.Delay(workMs, ct);
        }

        return new PageOutput(item.Key, "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", item.Number % 700);
    }

    /// <summary>Runs the whole stage; fails unless every item was processed.</summary>
    public static async Task<StageRunResult> RunAsync(StageDefinition<PageInput, PageOutput> definition, PageInput[] items, StageRunOptions options)
    {
        var result = await StageRunner.RunAsync(definition, items, options);
        return result.Processed == items.Length
            ? result
            : throw new InvalidOperationException($"Processed {result.Processed} of {items.Length}.");
    }
}
