using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json.Serialization;
using Checkpointing;

// Usage: <root> <runId> <items> <delayMs>. Prints one summary line; the test kills it mid-run and reruns it.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Checkpointing.EndToEnd.App <root> <runId> <items> <delayMs>");
    return 2;
}

var count = int.Parse(args[2], CultureInfo.InvariantCulture);
var delay = TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture));
var result = await new SlowStage(delay).RunAsync(
    Enumerable.Range(1, count),
    new StageRunOptions { Root = args[0], RunId = args[1], MaxDegreeOfParallelism = 2 });
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"stage={result.StageName} status={result.Status} processed={result.Processed} skipped={result.Skipped} failed={result.Failed} total_cost={result.TotalCostUsd}"));
return result.Status == StageStatus.Completed ? 0 : 1;

/// <summary>The output of one item.</summary>
public sealed class SlowOutput
{
    /// <summary>The item.</summary>
    [Range(1, int.MaxValue)]
    public int Item { get; set; }

    /// <summary>Some text derived from it.</summary>
    [Required]
    [StringLength(64, MinimumLength = 1)]
    public string Text { get; set; } = "";
}

/// <summary>Source-generated JSON metadata, so the stage is trim- and AOT-safe.</summary>
[JsonSerializable(typeof(SlowOutput))]
public sealed partial class EndToEndJsonContext : JsonSerializerContext;

/// <summary>A stage whose per-item work takes a while and costs a little.</summary>
[Checkpointed("slow", OutputDirectory = "slow-out", JsonContext = typeof(EndToEndJsonContext))]
public sealed partial class SlowStage(TimeSpan delay)
{
    /// <summary>The per-item cost, in US dollars.</summary>
    public const decimal CostPerItem = 0.001m;

    [ProcessItem]
    private async Task<SlowOutput> ProcessAsync(int item, ItemContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        context.AddCost(CostPerItem);
        return new SlowOutput { Item = item, Text = "item " + item.ToString(CultureInfo.InvariantCulture) };
    }

    [ValidateOutput]
    private static IEnumerable<string> Check(SlowOutput output)
    {
        if (!output.Text.EndsWith(output.Item.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
        {
            yield return "The text does not name the item.";
        }
    }
}
