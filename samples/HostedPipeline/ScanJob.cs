using Checkpointing;
using Checkpointing.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HostedPipeline;

/// <summary>The batch job: OCR every page, then index it. Host shutdown cancels it; the next start resumes.</summary>
public sealed class ScanJob(HostedStageRunner runner, OcrStage ocr, IndexStage index, IOptions<ScanOptions> scan, ILogger<ScanJob> logger) : ICheckpointedJob
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var pages = Enumerable.Range(1, scan.Value.Pages).ToArray();
        var read = await runner.RunAsync(ocr.CreateDefinition(), pages, cancellationToken: cancellationToken);
        var indexed = await runner.RunAsync(index.CreateDefinition(), pages, cancellationToken: cancellationToken);
        logger.LogInformation(
            "Scan done: {Pages} pages; ocr {OcrProcessed} processed, {OcrSkipped} skipped, ${Cost} in total; index {IndexProcessed} processed, {IndexSkipped} skipped",
            pages.Length, read.Processed, read.Skipped, read.TotalCostUsd, indexed.Processed, indexed.Skipped);
    }
}

/// <summary>
/// Logs the health report at an interval, as a stand-in for an orchestrator's probe (an ASP.NET Core app
/// would map it with <c>app.MapHealthChecks("/healthz")</c>).
/// </summary>
public sealed class HealthLogger(HealthCheckService health, IOptions<ScanOptions> scan, TimeProvider time, ILogger<HealthLogger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(scan.Value.HealthLogInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var report = await health.CheckHealthAsync(stoppingToken);
            foreach (var (name, entry) in report.Entries)
            {
                logger.LogInformation("Health {Name}: {Status}: {Description}", name, entry.Status, entry.Description);
            }
        }
    }
}
