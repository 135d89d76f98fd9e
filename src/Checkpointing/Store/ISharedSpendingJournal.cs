namespace Checkpointing.Store;

/// <summary>
/// A journal of a store that several workers share for one stage (see <see cref="IClaimingCheckpointJournal"/>) and
/// that can say what the other workers spend, so that <see cref="StageRunOptions.CostBudgetUsd"/> and
/// <see cref="StageRunOptions.TotalCostBudgetUsd"/> cap the stage's spending rather than one worker's.
/// <see cref="StageRunner"/> asks it before each item it starts when a budget is set.
/// </summary>
public interface ISharedSpendingJournal
{
    /// <summary>
    /// What the other workers' runs of this stage that run together with this one have spent, as recorded in the
    /// store: the runs still open, and those that ended after this worker's run started (their completions and
    /// failed attempts; work in flight is not recorded yet). Grows while they work.
    /// </summary>
    ValueTask<decimal> ReadOthersSpendingAsync(CancellationToken cancellationToken);
}
