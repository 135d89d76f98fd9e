using Microsoft.Extensions.Logging;
using Polly;
using Checkpointing.Store;

namespace Checkpointing;

/// <summary>Options of one run of a stage.</summary>
public sealed class StageRunOptions
{
    /// <summary>The storage root; a run's files are under <c>&lt;Root&gt;/&lt;RunId&gt;/</c>. Defaults to <c>data</c>.</summary>
    public string Root { get; init; } = "data";

    /// <summary>The run (book, scan, batch) this stage works on, e.g. <c>scan-0042</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>
    /// True (default): skip the items whose outputs are complete and valid. False: explicitly reset the
    /// stage's state and process every item again (earlier runs' cost stays in the run history).
    /// </summary>
    public bool Resume { get; init; } = true;

    /// <summary>How many items are processed at once. Defaults to 1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    /// <summary>When completion marks become durable. Defaults to <see cref="CommitPolicy.EveryItem"/>.</summary>
    public CommitPolicy CommitPolicy { get; init; } = CommitPolicy.EveryItem;

    /// <summary>What happens when one item's work throws. Defaults to <see cref="ItemFailurePolicy.FailStage"/>.</summary>
    public ItemFailurePolicy ItemFailurePolicy { get; init; } = ItemFailurePolicy.FailStage;

    /// <summary>
    /// True (default): on resume, read and validate every completed item's output; an invalid one is redone.
    /// False: only check that the output file exists (faster for very large stages).
    /// </summary>
    public bool ValidateOutputsOnResume { get; init; } = true;

    /// <summary>
    /// False (default): an unreadable checkpoint snapshot is reported and the stage falls back to what the
    /// outputs prove. True: it fails the run with <see cref="CheckpointCorruptException"/> instead.
    /// </summary>
    public bool StrictCheckpoint { get; init; }

    /// <summary>Where checkpoints are kept; defaults to the file store under <see cref="Root"/>.</summary>
    public ICheckpointStore? Store { get; init; }

    /// <summary>
    /// The clock of the run's timestamps (marks, outputs, run history) and of the <see cref="CommitPolicy.Every"/>
    /// timer; defaults to <see cref="System.TimeProvider.System"/>. A host passes its own so tests can fake time.
    /// </summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Receives resume, progress and failure messages.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Benchmarks only: the save queue before issue 16 (2 x <see cref="MaxDegreeOfParallelism"/> finished
    /// outputs queued on top of those being saved) instead of one per saver.
    /// </summary>
    internal bool UnboundedSaveQueue { get; init; }

    /// <summary>Receives a report after each item.</summary>
    public IProgress<StageProgress>? Progress { get; init; }

    /// <summary>
    /// A cap on what this run may spend, in US dollars (failed attempts included). Once the run's cost reaches
    /// it no new item starts; items in flight finish and are saved (their work is paid for), so the overshoot
    /// is at most what those items cost. The run then ends <see cref="StageStatus.BudgetExceeded"/> and throws
    /// <see cref="StageBudgetExceededException"/>; a run with a higher cap resumes where it stopped. Null: no cap.
    /// </summary>
    public decimal? CostBudgetUsd { get; init; }

    /// <summary>
    /// A cap on what the stage may spend across all its runs since its last reset (its <c>total_cost_usd</c>),
    /// in US dollars; enforced as <see cref="CostBudgetUsd"/> is. Null: no cap.
    /// </summary>
    public decimal? TotalCostBudgetUsd { get; init; }

    /// <summary>
    /// A Polly resilience pipeline that each item's work runs in (retry with backoff and jitter, timeout, rate
    /// limiter, circuit breaker: yours to compose), or <see cref="ItemPipelines.RetryTransient"/> for a default.
    /// Each attempt's cost is kept, failed ones included: a failed attempt is recorded with its cost at once,
    /// and the item's record shows its attempts. Null (default): one attempt per item and run.
    /// </summary>
    public ResiliencePipeline? ItemPipeline { get; init; }

    /// <summary>
    /// Keys (as they appear in the checkpoint and the output file names, e.g. <c>000012</c>) that this run
    /// processes again even though they are complete, e.g. after a manual review. Their outputs are replaced
    /// atomically, their cost is added, and the run history records them with <see cref="RedoReason"/>. A key
    /// that is not among the run's items is an <see cref="ArgumentException"/> before anything runs.
    /// </summary>
    public IReadOnlyCollection<string>? RedoKeys { get; init; }

    /// <summary>Why <see cref="RedoKeys"/> are redone, recorded in the run history (e.g. <c>manual review: garbled OCR</c>).</summary>
    public string? RedoReason { get; init; }
}
