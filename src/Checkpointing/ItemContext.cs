using Microsoft.Extensions.Logging;

namespace Checkpointing;

/// <summary>What the per-item work of a stage can see and report.</summary>
public sealed class ItemContext
{
    private decimal _cost;
    private readonly object _lock = new();
    private int _attempt;

    internal ItemContext(string stageName, string key, ILogger logger)
    {
        StageName = stageName;
        Key = key;
        Logger = logger;
    }

    /// <summary>The stage's name.</summary>
    public string StageName { get; }

    /// <summary>The key of the item being processed (its output file is <c>&lt;key&gt;.json</c>).</summary>
    public string Key { get; }

    /// <summary>
    /// The number of the attempt running now, from 1: more than 1 when <see cref="StageRunOptions.ItemPipeline"/>
    /// retries the item. The cost added by every attempt is kept, failed ones included.
    /// </summary>
    public int Attempt => Volatile.Read(ref _attempt);

    /// <summary>The stage's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The cost recorded so far for this item, in US dollars.</summary>
    public decimal CostUsd
    {
        get
        {
            lock (_lock)
            {
                return _cost;
            }
        }
    }

    /// <summary>
    /// Adds to this item's cost (e.g. the price of an API call). The cost is saved with the item's output
    /// and accumulated into the stage's <c>total_cost_usd</c> across runs.
    /// </summary>
    public void AddCost(decimal usd)
    {
        if (usd < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(usd), usd, "A cost cannot be negative.");
        }

        lock (_lock)
        {
            _cost += usd;
        }
    }

    internal int StartAttempt() => Interlocked.Increment(ref _attempt);
}
