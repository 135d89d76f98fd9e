namespace Checkpointing.Store;

/// <summary>
/// The journal of a store that several workers (processes, machines) share for one stage at the same time,
/// such as a database. It does not lock the stage: each worker claims items in small batches under leases,
/// the store renews the leases of its claims while the worker holds them, a dead worker's leases expire and
/// its items are claimed again, and an item is completed only under the lease that claimed it (fencing), with
/// its output stored in the same transaction. <see cref="StageRunner"/> uses these methods instead of the
/// stage's key list when the store's journal implements this interface.
/// </summary>
public interface IClaimingCheckpointJournal : ICheckpointJournal
{
    /// <summary>
    /// Adds the keys this worker will process to the stage's shared item list (keys already there are kept
    /// as they are, except items that failed in an earlier run, which become claimable again).
    /// </summary>
    ValueTask RegisterItemsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="maxItems"/> items that nobody holds (never claimed, released, or whose
    /// lease expired) and leases them to this worker. Waits while other workers hold every unfinished item,
    /// since their leases may expire; returns an empty list only when no item is left to claim.
    /// </summary>
    /// <param name="maxItems">The batch size.</param>
    /// <param name="excludedKeys">Keys this worker cannot process (not among its items): never claimed by it.</param>
    /// <param name="cancellationToken">Cancels the claim or the wait.</param>
    ValueTask<IReadOnlyList<ItemClaim>> ClaimAsync(int maxItems, IReadOnlySet<string> excludedKeys, CancellationToken cancellationToken);

    /// <summary>
    /// Completes a claimed item, storing <paramref name="output"/> (its output file's bytes) and cost in the same
    /// transaction, only if the claim's lease is still this worker's. Returns false when the lease was lost
    /// (it expired and another worker claimed the item): nothing is stored.
    /// </summary>
    ValueTask<bool> CompleteClaimAsync(ItemClaim claim, byte[] output, decimal costUsd, int? attempt, CancellationToken cancellationToken);

    /// <summary>Gives a claim back unworked, so that another worker can claim it at once.</summary>
    ValueTask ReleaseAsync(ItemClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// The stored outputs of the completed items among <paramref name="keys"/> (outputs are the truth on
    /// resume); a completed item without a stored output (marked by hand after a file save) is absent.
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, byte[]>> ReadOutputsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}

/// <summary>An item leased to this worker: its key and the lease's fencing token.</summary>
/// <param name="Key">The item key.</param>
/// <param name="LeaseToken">Increases with every claim of the item; only the latest claim can complete it.</param>
public readonly record struct ItemClaim(string Key, long LeaseToken);
