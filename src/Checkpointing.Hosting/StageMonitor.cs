using System.Collections.Concurrent;
using Checkpointing.Store;

namespace Checkpointing.Hosting;

/// <summary>
/// Knows which stages hold their checkpoint open in this process, their progress and when they last marked
/// an item complete. The checkpoint store registered by <c>AddCheckpointing</c> feeds it, whoever opens the
/// stage (<see cref="HostedStageRunner"/> or a <see cref="StageCheckpoint"/> opened by hand); the health check
/// and any dashboard read it.
/// </summary>
public sealed class StageMonitor
{
    private readonly ConcurrentDictionary<(string RunId, string StageName), StageActivity> _running = new();
    private readonly TimeProvider _time;

    /// <summary>Creates a monitor whose timestamps come from <paramref name="timeProvider"/>.</summary>
    internal StageMonitor(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
    }

    /// <summary>A snapshot of the stages open now, ordered by run id then stage name.</summary>
    public IReadOnlyList<RunningStage> GetRunningStages() =>
        _running.Values.Select(a => a.Snapshot())
            .OrderBy(s => s.RunId, StringComparer.Ordinal)
            .ThenBy(s => s.StageName, StringComparer.Ordinal)
            .ToArray();

    internal StageActivity Opened(CheckpointOpenRequest request)
    {
        var activity = new StageActivity(request.RunId, request.StageName, request.CommitPolicy, _time);
        _running[(request.RunId, request.StageName)] = activity;
        return activity;
    }

    internal void Closed(StageActivity activity) =>
        _running.TryRemove(new KeyValuePair<(string, string), StageActivity>((activity.RunId, activity.StageName), activity));

    internal void Report(string runId, string stageName, StageProgress progress)
    {
        if (_running.TryGetValue((runId, stageName), out var activity))
        {
            activity.Report(progress);
        }
    }
}

/// <summary>What <see cref="StageMonitor"/> knows of a stage that holds its checkpoint open.</summary>
public sealed record RunningStage
{
    /// <summary>The stage's name.</summary>
    public required string StageName { get; init; }

    /// <summary>The run id.</summary>
    public required string RunId { get; init; }

    /// <summary>The commit policy the stage was opened with (e.g. <c>every item</c>).</summary>
    public required string CommitPolicy { get; init; }

    /// <summary>When this process took the stage's lock (the run's start).</summary>
    public required DateTimeOffset LockHeldSince { get; init; }

    /// <summary>The lock's holder: this process, as <c>pid N on HOST</c>.</summary>
    public required string LockHolder { get; init; }

    /// <summary>
    /// When the last item was marked complete, or null before the first mark of this run. Under the
    /// <c>EveryItem</c> commit policy that mark was durable at this time; under a grouped policy it is durable
    /// once its group is flushed.
    /// </summary>
    public DateTimeOffset? LastMarkAt { get; init; }

    /// <summary>Items marked complete since the stage was opened.</summary>
    public int MarkedThisRun { get; init; }

    /// <summary>The last progress report of <see cref="HostedStageRunner"/>, or null when none came yet.</summary>
    public StageProgress? Progress { get; init; }
}

/// <summary>The live state of one open stage; updated from savers concurrently.</summary>
internal sealed class StageActivity(string runId, string stageName, CommitPolicy commitPolicy, TimeProvider time)
{
    private readonly object _gate = new();
    private readonly DateTimeOffset _openedAt = time.GetUtcNow();
    private DateTimeOffset? _lastMarkAt;
    private int _marked;
    private StageProgress? _progress;

    public string RunId { get; } = runId;

    public string StageName { get; } = stageName;

    public void Marked()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _lastMarkAt = now;
            _marked++;
        }
    }

    public void Report(StageProgress progress)
    {
        lock (_gate)
        {
            _progress = progress;
        }
    }

    public RunningStage Snapshot()
    {
        lock (_gate)
        {
            return new RunningStage
            {
                StageName = StageName,
                RunId = RunId,
                CommitPolicy = commitPolicy.ToString(),
                LockHeldSince = _openedAt,
                LockHolder = $"pid {Environment.ProcessId} on {Environment.MachineName}",
                LastMarkAt = _lastMarkAt,
                MarkedThisRun = _marked,
                Progress = _progress,
            };
        }
    }
}
