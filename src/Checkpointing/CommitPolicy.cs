namespace Checkpointing;

/// <summary>
/// When completion marks become durable. Whatever the policy, pending marks are flushed when the stage
/// completes, fails, is cancelled or is disposed, and an item's output is always durable before its mark.
/// </summary>
public sealed record CommitPolicy
{
    private CommitPolicy(int items, TimeSpan interval)
    {
        Items = items;
        Interval = interval;
    }

    /// <summary>Each mark is durable when <c>MarkCompletedAsync</c> returns (concurrent marks share one fsync).</summary>
    public static CommitPolicy EveryItem { get; } = new(1, TimeSpan.Zero);

    /// <summary>Marks are made durable in groups of <paramref name="items"/>.</summary>
    public static CommitPolicy EveryItems(int items)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        return new CommitPolicy(items, TimeSpan.Zero);
    }

    /// <summary>Marks are made durable at most <paramref name="interval"/> after they are made.</summary>
    public static CommitPolicy Every(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new CommitPolicy(int.MaxValue, interval);
    }

    /// <summary>The number of marks that triggers a flush.</summary>
    public int Items { get; }

    /// <summary>The longest a mark stays pending; <see cref="TimeSpan.Zero"/> when only <see cref="Items"/> counts.</summary>
    public TimeSpan Interval { get; }

    /// <summary>True for <see cref="EveryItem"/>.</summary>
    public bool IsEveryItem => Items == 1;

    /// <inheritdoc />
    public override string ToString() =>
        IsEveryItem ? "every item" : Interval > TimeSpan.Zero ? $"every {Interval.TotalSeconds:0.###} s" : $"every {Items} items";
}
