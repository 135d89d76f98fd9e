using Microsoft.Extensions.Logging;

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
}
