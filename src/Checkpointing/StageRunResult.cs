namespace Checkpointing;

/// <summary>What one run of a stage did.</summary>
public sealed record StageRunResult
{
    /// <summary>The stage's name.</summary>
    public required string StageName { get; init; }

    /// <summary>The number of distinct items given to the run.</summary>
    public required int Total { get; init; }

    /// <summary>Items skipped because an earlier run completed them.</summary>
    public required int Skipped { get; init; }

    /// <summary>Items processed and completed by this run.</summary>
    public required int Processed { get; init; }

    /// <summary>Items whose work failed in this run.</summary>
    public required int Failed { get; init; }

    /// <summary>What this run paid for, in US dollars: the items it processed (the history's <c>cost_usd</c>).</summary>
    public required decimal RunCostUsd { get; init; }

    /// <summary>
    /// The cost of the outputs this run adopted: saved by an earlier run that died before marking them, so
    /// paid for then, not now (the history's <c>adopted_cost_usd</c>). Included in <see cref="TotalCostUsd"/>.
    /// </summary>
    public decimal AdoptedCostUsd { get; init; }

    /// <summary>What the stage has spent across runs since its last reset, in US dollars.</summary>
    public required decimal TotalCostUsd { get; init; }

    /// <summary>The estimated cost of the skipped items (average cost per completed item times skipped).</summary>
    public required decimal EstimatedCostSavedUsd { get; init; }

    /// <summary>How long the run took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The stage's status when the run ended.</summary>
    public required StageStatus Status { get; init; }

    /// <summary>The failed items of this run with their errors.</summary>
    public IReadOnlyDictionary<string, string> FailedItems { get; init; } = new Dictionary<string, string>();

    /// <summary>True when the run was cancelled before it processed every item.</summary>
    public bool Cancelled { get; init; }

    /// <summary>
    /// The estimated cost of the items this run left undone: the stage's cost per completed item (failed
    /// attempts included) times the items left; 0 when none is left, null when nothing is completed to estimate from.
    /// </summary>
    public decimal? EstimatedCostToFinishUsd { get; init; }

    /// <summary>Attempts that failed in this run, including those a retry then got past; their cost is in <see cref="RunCostUsd"/>.</summary>
    public int FailedAttempts { get; init; }

    /// <summary>The complete keys this run processed again (<see cref="StageRunOptions.RedoKeys"/>).</summary>
    public IReadOnlyList<string> RedoneKeys { get; init; } = [];
}

/// <summary>Progress of a running stage.</summary>
/// <param name="StageName">The stage's name.</param>
/// <param name="Total">Items in this run.</param>
/// <param name="Skipped">Items already complete before the run.</param>
/// <param name="Processed">Items completed by this run so far.</param>
/// <param name="Failed">Items failed in this run so far.</param>
/// <param name="RunCostUsd">What this run has spent so far.</param>
/// <param name="LastKey">The key of the item that just finished.</param>
/// <param name="LastFailed">True when that item failed rather than completed.</param>
/// <param name="EstimatedCostToFinishUsd">
/// The estimated cost of the items not done yet (cost per completed item times items left), or null before
/// anything is completed to estimate from.
/// </param>
public readonly record struct StageProgress(
    string StageName, int Total, int Skipped, int Processed, int Failed, decimal RunCostUsd, string? LastKey,
    bool LastFailed = false, decimal? EstimatedCostToFinishUsd = null)
{
    /// <summary>Items done (skipped, processed or failed) out of <see cref="Total"/>.</summary>
    public int Done => Skipped + Processed + Failed;
}
