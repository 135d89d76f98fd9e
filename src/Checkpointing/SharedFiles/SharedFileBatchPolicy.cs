namespace Checkpointing.SharedFiles;

/// <summary>
/// When <see cref="SharedFileBatches{TRow}"/> saves the buffered rows: after a number of items, after a time, when the
/// buffered rows pass a byte budget (shrinking the batch), or whichever comes first of a combination
/// (<see cref="Or"/>). Whatever the policy, pending rows are saved when the run completes, fails or is cancelled.
/// </summary>
public sealed record SharedFileBatchPolicy
{
    private SharedFileBatchPolicy(int? maxItems, TimeSpan? maxInterval, long? maxBufferedBytes)
    {
        MaxItems = maxItems;
        MaxInterval = maxInterval;
        MaxBufferedBytes = maxBufferedBytes;
    }

    /// <summary>Saves after every item: the slow, simple baseline.</summary>
    public static SharedFileBatchPolicy PerItem { get; } = new(1, null, null);

    /// <summary>The default: batches of 50 items.</summary>
    public static SharedFileBatchPolicy Default { get; } = new(50, null, null);

    /// <summary>Saves when <paramref name="items"/> rows are buffered.</summary>
    /// <param name="items">The batch size, at least 1.</param>
    public static SharedFileBatchPolicy Items(int items)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        return new SharedFileBatchPolicy(items, null, null);
    }

    /// <summary>Saves when the oldest buffered row has waited <paramref name="interval"/>.</summary>
    /// <param name="interval">The longest a row stays unsaved, more than zero.</param>
    public static SharedFileBatchPolicy Every(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new SharedFileBatchPolicy(null, interval, null);
    }

    /// <summary>
    /// Memory adaptive: saves when the buffered rows' estimated size (<see cref="ISharedFileFormat{TRow}.EstimateSize"/>)
    /// reaches <paramref name="maxBufferedBytes"/> and halves the item limit; a batch saved on the item limit while
    /// under half the budget doubles the limit again, up to <paramref name="maxItems"/>.
    /// </summary>
    /// <param name="maxBufferedBytes">The byte budget of the buffered rows, at least 1.</param>
    /// <param name="maxItems">The largest batch, or <see langword="null"/> for no item limit.</param>
    public static SharedFileBatchPolicy Adaptive(long maxBufferedBytes, int? maxItems = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferedBytes, 1);
        if (maxItems is { } items)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(items, 1, nameof(maxItems));
        }

        return new SharedFileBatchPolicy(maxItems, null, maxBufferedBytes);
    }

    /// <summary>The item limit, or <see langword="null"/> when items do not count.</summary>
    public int? MaxItems { get; }

    /// <summary>The longest a row stays buffered, or <see langword="null"/> when time does not count.</summary>
    public TimeSpan? MaxInterval { get; }

    /// <summary>The byte budget of buffered rows, or <see langword="null"/> when memory does not count.</summary>
    public long? MaxBufferedBytes { get; }

    /// <summary>A policy that saves when either this policy or <paramref name="other"/> would.</summary>
    /// <param name="other">The other policy.</param>
    public SharedFileBatchPolicy Or(SharedFileBatchPolicy other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new SharedFileBatchPolicy(Min(MaxItems, other.MaxItems), Min(MaxInterval, other.MaxInterval), Min(MaxBufferedBytes, other.MaxBufferedBytes));
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (MaxItems is { } items)
        {
            parts.Add(items == 1 ? "every item" : $"every {items} items");
        }

        if (MaxInterval is { } interval)
        {
            parts.Add($"every {interval.TotalSeconds:0.###} s");
        }

        if (MaxBufferedBytes is { } bytes)
        {
            parts.Add($"at {bytes} buffered bytes (adaptive)");
        }

        return string.Join(" or ", parts);
    }

    private static T? Min<T>(T? a, T? b)
        where T : struct, IComparable<T> =>
        a is null ? b : b is null ? a : a.Value.CompareTo(b.Value) <= 0 ? a : b;
}
