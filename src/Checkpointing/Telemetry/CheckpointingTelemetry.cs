using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Checkpointing.Telemetry;

/// <summary>
/// The names under which stages report metrics and traces (documented in docs/telemetry.md). With
/// OpenTelemetry: <c>.WithMetrics(m =&gt; m.AddMeter(CheckpointingTelemetry.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(CheckpointingTelemetry.ActivitySourceName))</c>.
/// </summary>
public static class CheckpointingTelemetry
{
    /// <summary>The name of the <see cref="Meter"/>: <c>Checkpointing</c>.</summary>
    public const string MeterName = "Checkpointing";

    /// <summary>The name of the <see cref="ActivitySource"/>: <c>Checkpointing</c>.</summary>
    public const string ActivitySourceName = "Checkpointing";

    /// <summary>The operation name of the activity of one item: <c>checkpointing.item</c>.</summary>
    public const string ItemActivityName = "checkpointing.item";

    /// <summary>Counter of items completed (saved and marked): <c>checkpointing.items.processed</c>.</summary>
    public const string ItemsProcessed = "checkpointing.items.processed";

    /// <summary>Counter of items skipped as already complete: <c>checkpointing.items.skipped</c>.</summary>
    public const string ItemsSkipped = "checkpointing.items.skipped";

    /// <summary>Counter of items a run gave up: <c>checkpointing.items.failed</c>.</summary>
    public const string ItemsFailed = "checkpointing.items.failed";

    /// <summary>Counter of attempts after an item's first (retries): <c>checkpointing.items.retried</c>.</summary>
    public const string ItemsRetried = "checkpointing.items.retried";

    /// <summary>Counter of money spent, in US dollars, failed attempts included: <c>checkpointing.cost</c>.</summary>
    public const string Cost = "checkpointing.cost";

    /// <summary>Histogram of the time, in seconds, to make an item's completion mark durable: <c>checkpointing.mark.duration</c>.</summary>
    public const string MarkDuration = "checkpointing.mark.duration";

    /// <summary>Up-down counter of items whose work or save is under way: <c>checkpointing.items.in_flight</c>.</summary>
    public const string ItemsInFlight = "checkpointing.items.in_flight";

    /// <summary>The tag that every instrument and activity carries: the stage name (<c>checkpointing.stage</c>).</summary>
    public const string StageTag = "checkpointing.stage";

    /// <summary>Activity tag: the run id (<c>checkpointing.run_id</c>).</summary>
    public const string RunIdTag = "checkpointing.run_id";

    /// <summary>Activity tag: the item's key (<c>checkpointing.item.key</c>).</summary>
    public const string KeyTag = "checkpointing.item.key";

    /// <summary>Activity tag: attempts the item took in this run (<c>checkpointing.item.attempts</c>).</summary>
    public const string AttemptsTag = "checkpointing.item.attempts";

    /// <summary>Activity tag: what the item cost in this run, in US dollars, failed attempts included (<c>checkpointing.item.cost_usd</c>).</summary>
    public const string CostTag = "checkpointing.item.cost_usd";

    /// <summary>Activity tag: <c>completed</c>, <c>failed</c> or <c>cancelled</c> (<c>checkpointing.item.outcome</c>).</summary>
    public const string OutcomeTag = "checkpointing.item.outcome";

    /// <summary>The name of the activity event recorded for each failed attempt: <c>checkpointing.attempt_failed</c>.</summary>
    public const string AttemptFailedEvent = "checkpointing.attempt_failed";
}

/// <summary>
/// The instruments behind <see cref="CheckpointingTelemetry"/>. One shared, immutable set, as the .NET
/// guidance for libraries without dependency injection has it: instruments cost next to nothing until a
/// listener enables them.
/// </summary>
internal static class StageTelemetry
{
    private static readonly string Version = typeof(StageTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static readonly ActivitySource Source = new(CheckpointingTelemetry.ActivitySourceName, Version);

    private static readonly Meter Meter = new(CheckpointingTelemetry.MeterName, Version);

    public static readonly Counter<long> Processed = Meter.CreateCounter<long>(CheckpointingTelemetry.ItemsProcessed, "{item}", "Items completed: output saved and marked.");

    public static readonly Counter<long> Skipped = Meter.CreateCounter<long>(CheckpointingTelemetry.ItemsSkipped, "{item}", "Items skipped as already complete.");

    public static readonly Counter<long> Failed = Meter.CreateCounter<long>(CheckpointingTelemetry.ItemsFailed, "{item}", "Items a run gave up; retried on the next run.");

    public static readonly Counter<long> Retried = Meter.CreateCounter<long>(CheckpointingTelemetry.ItemsRetried, "{attempt}", "Attempts after an item's first.");

    public static readonly Counter<double> Cost = Meter.CreateCounter<double>(CheckpointingTelemetry.Cost, "USD", "Money spent by item work, failed attempts included.");

    public static readonly Histogram<double> MarkDuration = Meter.CreateHistogram<double>(CheckpointingTelemetry.MarkDuration, "s", "Time to make a completion mark durable.");

    public static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>(CheckpointingTelemetry.ItemsInFlight, "{item}", "Items whose work or save is under way.");

    public static KeyValuePair<string, object?> StageTag(string stage) => new(CheckpointingTelemetry.StageTag, stage);

    public static Activity? StartItem(string stage, string runId, string key)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(CheckpointingTelemetry.ItemActivityName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = stage + " item";
            activity.SetTag(CheckpointingTelemetry.StageTag, stage);
            activity.SetTag(CheckpointingTelemetry.RunIdTag, runId);
            activity.SetTag(CheckpointingTelemetry.KeyTag, key);
        }

        return activity;
    }

    public static void AttemptFailed(Activity? activity, int attempt, decimal cost, Exception error)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.AddEvent(new ActivityEvent(CheckpointingTelemetry.AttemptFailedEvent, tags: new ActivityTagsCollection
            {
                ["checkpointing.attempt"] = attempt,
                [CheckpointingTelemetry.CostTag] = (double)cost,
                ["exception.type"] = error.GetType().FullName,
                ["exception.message"] = error.Message,
            }));
        }
    }

    public static void EndItem(Activity? activity, string outcome, int attempts, decimal cost, string? error)
    {
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(CheckpointingTelemetry.AttemptsTag, attempts);
            activity.SetTag(CheckpointingTelemetry.CostTag, (double)cost);
            activity.SetTag(CheckpointingTelemetry.OutcomeTag, outcome);
            if (error is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, error);
            }
        }

        activity.Stop();
    }
}
