using System.Text.Json.Serialization;
using Checkpointing;
using Checkpointing.Hosting;
using Microsoft.Extensions.Options;

namespace HostedPipeline;

/// <summary>The sample's own settings (section <c>Scan</c>).</summary>
public sealed class ScanOptions
{
    public int Pages { get; set; } = 60;

    public int LatencyMs { get; set; } = 150;

    public TimeSpan HealthLogInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed record PageText(int Page, string Text, int Words);

public sealed record PageIndex(int Page, string[] Keywords);

[JsonSerializable(typeof(PageText))]
[JsonSerializable(typeof(PageIndex))]
public sealed partial class ScanJsonContext : JsonSerializerContext;

/// <summary>A simulated paid OCR service: latency and a cost per page.</summary>
public sealed class FakeOcrService(IOptions<ScanOptions> options, TimeProvider time)
{
    private static readonly string[] Words = ["ledger", "harbour", "cargo", "tariff", "voyage", "merchant", "invoice", "customs", "schooner", "manifest"];

    public async Task<(string Text, decimal CostUsd)> ReadPageAsync(int page, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(options.Value.LatencyMs), time, cancellationToken);
        var text = string.Join(' ', Enumerable.Range(0, 12).Select(i => Words[(page * 7 + i * 3) % Words.Length]));
        return ($"Page {page}: {text}", 0.0015m);
    }
}

/// <summary>Stage 1: OCR of each page through the paid service (a constructor dependency, resolved from DI).</summary>
[Checkpointed("ocr", JsonContext = typeof(ScanJsonContext))]
public sealed partial class OcrStage(FakeOcrService ocr)
{
    [ProcessItem]
    private async Task<PageText> ReadAsync(int page, ItemContext context, CancellationToken cancellationToken)
    {
        var (text, cost) = await ocr.ReadPageAsync(page, cancellationToken);
        context.AddCost(cost);
        return new PageText(page, text, text.Split(' ').Length);
    }
}

/// <summary>Stage 2: keywords of each page, from stage 1's saved output (found through the configured root and run).</summary>
[Checkpointed("index", JsonContext = typeof(ScanJsonContext))]
public sealed partial class IndexStage(IOptions<CheckpointingOptions> settings)
{
    private readonly string _ocrDirectory = Path.Combine(settings.Value.Root, settings.Value.RunId ?? "", OcrStage.StageName);

    [ProcessItem]
    private PageIndex Index(int page)
    {
        var text = StageOutputFile.Read(_ocrDirectory, CheckpointKeys.From(page), ScanJsonContext.Default.PageText)?.Output
            ?? throw new InvalidOperationException($"Page {page} has no OCR output: run the ocr stage first.");
        var keywords = text.Text.Split(' ').Skip(2).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(5).ToArray();
        return new PageIndex(page, keywords);
    }
}
