using Checkpointing.Store;
namespace Checkpointing;

/// <summary>
/// What a run starts from, fixed before its first item: the items by key in the run's order, the keys still to
/// process, the complete keys redone, and the checkpoint's state when the run began. Read-only once built, so
/// the run's threads share it freely.
/// </summary>
internal sealed class StageRunPlan<TItem>(
    IReadOnlyList<string> order, IReadOnlyDictionary<string, TItem> byKey, IReadOnlyList<string> remaining,
    IReadOnlyList<string> redo, StageCheckpointDocument before)
{
    /// <summary>Every distinct key, in the order the items came.</summary>
    public IReadOnlyList<string> Order { get; } = order;

    public IReadOnlyDictionary<string, TItem> ByKey { get; } = byKey;

    /// <summary>The keys to process in this run (redo keys included), in the run's order.</summary>
    public IReadOnlyList<string> Remaining { get; } = remaining;

    public IReadOnlyList<string> Redo { get; } = redo;

    /// <summary>The checkpoint's state after the run began and before its first item.</summary>
    public StageCheckpointDocument Before { get; } = before;

    /// <summary>The items already complete, skipped by this run.</summary>
    public int Skipped { get; } = order.Count - remaining.Count;

    /// <summary>What the skipped items would cost again, at the stage's average cost per item.</summary>
    public decimal EstimatedCostSavedUsd { get; } = before.AverageItemCostUsd * (order.Count - remaining.Count);
}
