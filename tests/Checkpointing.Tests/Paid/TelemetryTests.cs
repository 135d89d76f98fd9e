using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Checkpointing.Tests.Support;
using Checkpointing.Telemetry;

namespace Checkpointing.Tests.Paid;

/// <summary>The Meter and ActivitySource named <c>Checkpointing</c>, observed as an OpenTelemetry SDK would.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_run_reports_its_items_cost_retries_and_mark_latency_and_one_activity_per_item()
    {
        using var dir = new TempDirectory();

        // Tests run in parallel and the instruments are shared: only this test's stage is counted.
        var stageName = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var measurements = new ConcurrentQueue<(string Instrument, double Value)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CheckpointingTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == CheckpointingTelemetry.StageTag && (string?)tag.Value == stageName)
                {
                    measurements.Enqueue((instrument.Name, value));
                }
            }
        }

        meters.SetMeasurementEventCallback<long>((i, v, t, _) => OnMeasurement(i, v, t));
        meters.SetMeasurementEventCallback<double>((i, v, t, _) => OnMeasurement(i, v, t));
        meters.Start();

        var activities = new ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CheckpointingTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem(CheckpointingTelemetry.StageTag) == stageName)
                {
                    activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(tracing);

        var second = false;
        var stage = new PaidStage(stageName)
        {
            Cost = (page, attempt) => second && page == 2 && attempt == 1 ? 0.005m : 0.01m,
            Fail = (page, attempt) => !second ? null : (page, attempt) switch
            {
                (2, 1) => new TimeoutException("slow"),
                (5, _) => new InvalidOperationException("refused"),
                _ => null,
            },
        };
        var pipeline = ItemPipelines.RetryTransient(2, TimeSpan.FromMilliseconds(1), e => e is TimeoutException);
        await StageRunner.RunAsync(stage.Definition, [1, 3, 4], PaidStage.Options(dir, parallel: 2));
        second = true;
        await StageRunner.RunAsync(stage.Definition, Enumerable.Range(1, 6),
            PaidStage.Options(dir, parallel: 2, pipeline: pipeline, failure: ItemFailurePolicy.SkipItem));
        meters.RecordObservableInstruments();

        double Sum(string name) => measurements.Where(m => m.Instrument == name).Sum(m => m.Value);
        Assert.Equal(3 + 2, Sum(CheckpointingTelemetry.ItemsProcessed));
        Assert.Equal(3, Sum(CheckpointingTelemetry.ItemsSkipped));
        Assert.Equal(1, Sum(CheckpointingTelemetry.ItemsFailed));
        Assert.Equal(1, Sum(CheckpointingTelemetry.ItemsRetried));
        Assert.Equal(0, Sum(CheckpointingTelemetry.ItemsInFlight));
        Assert.Equal((double)(0.03m + 0.005m + 0.02m + 0.01m), Sum(CheckpointingTelemetry.Cost), 9);
        Assert.Equal(5, measurements.Count(m => m.Instrument == CheckpointingTelemetry.MarkDuration));
        Assert.All(measurements.Where(m => m.Instrument == CheckpointingTelemetry.MarkDuration), m => Assert.InRange(m.Value, 0, 30));

        Assert.Equal(6, activities.Count); // 3 + 3: skipped items have none
        Assert.All(activities, a => Assert.Equal(CheckpointingTelemetry.ItemActivityName, a.OperationName));
        var byKey = activities.GroupBy(a => (string)a.GetTagItem(CheckpointingTelemetry.KeyTag)!).ToDictionary(g => g.Key, g => g.Last());
        var retried = byKey["000002"];
        Assert.Equal("completed", retried.GetTagItem(CheckpointingTelemetry.OutcomeTag));
        Assert.Equal(2, retried.GetTagItem(CheckpointingTelemetry.AttemptsTag));
        Assert.Equal(0.015, (double)retried.GetTagItem(CheckpointingTelemetry.CostTag)!, 9);
        Assert.Equal("book-7", retried.GetTagItem(CheckpointingTelemetry.RunIdTag));
        var attemptFailed = Assert.Single(retried.Events);
        Assert.Equal(CheckpointingTelemetry.AttemptFailedEvent, attemptFailed.Name);
        var failed = byKey["000005"];
        Assert.Equal("failed", failed.GetTagItem(CheckpointingTelemetry.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Contains("refused", failed.StatusDescription);
    }
}
