using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Checkpointing.Hosting;

/// <summary>
/// Tells a stuck pipeline from a busy one: for each stage this process runs, the age of its last mark (or,
/// before its first mark, of the lock taken at its start) against <c>Checkpointing:Health</c>'s thresholds.
/// <c>Healthy</c> when every stage marks items often enough (or none runs), <c>Degraded</c> from
/// <see cref="CheckpointingHealthOptions.DegradedAfter"/>, <c>Unhealthy</c> from
/// <see cref="CheckpointingHealthOptions.UnhealthyAfter"/>. The data holds one <see cref="RunningStage"/> per
/// stage, keyed <c>&lt;runId&gt;/&lt;stage&gt;</c>: progress, lock holder and since when, last mark.
/// </summary>
internal sealed class CheckpointingHealthCheck(StageMonitor monitor, TimeProvider time, IOptions<CheckpointingOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var thresholds = options.Value.Health;
        var stages = monitor.GetRunningStages();
        if (stages.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No stage is running."));
        }

        var now = time.GetUtcNow();
        var status = HealthStatus.Healthy;
        var lines = new List<string>(stages.Count);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            var since = stage.LastMarkAt ?? stage.LockHeldSince;
            var age = now - since;
            var stageStatus = age >= thresholds.UnhealthyAfter ? HealthStatus.Unhealthy
                : age >= thresholds.DegradedAfter ? HealthStatus.Degraded
                : HealthStatus.Healthy;
            if (stageStatus < status)
            {
                status = stageStatus;
            }

            var progress = stage.Progress is { } p ? $"{p.Done}/{p.Total} done ({p.Processed} this run, {p.Failed} failed)" : $"{stage.MarkedThisRun} marked this run";
            var mark = stage.LastMarkAt is null
                ? $"no item marked in the {Seconds(age)} since its start"
                : $"last mark {Seconds(age)} ago";
            var verdict = stageStatus == HealthStatus.Healthy ? "" : $" ({stageStatus.ToString().ToLowerInvariant()}: no mark for {Seconds(age)})";
            lines.Add($"{stage.RunId}/{stage.StageName}: {progress}, {mark}, lock held by {stage.LockHolder} since {stage.LockHeldSince:u}{verdict}");
            data[stage.RunId + "/" + stage.StageName] = stage;
        }

        // Unhealthy is reported with the registration's failure status, as health checks conventionally do.
        var description = string.Join("; ", lines);
        var result = status switch
        {
            HealthStatus.Healthy => HealthCheckResult.Healthy(description, data),
            HealthStatus.Degraded => HealthCheckResult.Degraded(description, data: data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, description, data: data),
        };
        return Task.FromResult(result);
    }

    private static string Seconds(TimeSpan age) =>
        age.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";
}
