using System.Globalization;
using Checkpointing.Store;

namespace Checkpointing;

/// <summary>
/// The running counts and spending of one run, shared by its workers and savers, with the budget check and
/// the estimate of what finishing would cost. Spending is counted when the work reports it (an attempt ends),
/// not when the output is saved, so the budget sees money as soon as it is spent.
/// </summary>
internal sealed class StageRunTally
{
    private readonly object _lock = new();
    private readonly int _total;
    private readonly int _skipped;
    private readonly decimal _stageCostBefore;
    private readonly int _stageCompletedBefore;
    private readonly decimal? _runBudget;
    private readonly decimal? _totalBudget;
    private decimal _spent;
    private decimal? _othersAtStart;
    private decimal _othersNow;
    private int _processed;
    private int _failed;
    private int _failedAttempts;
    private int _worked;

    public StageRunTally(int total, int skipped, StageCheckpointDocument before, decimal? runBudget, decimal? totalBudget)
    {
        _total = total;
        _skipped = skipped;
        _stageCostBefore = before.TotalCostUsd;
        _stageCompletedBefore = before.CompletedCount;
        _runBudget = runBudget;
        _totalBudget = totalBudget;
    }

    public decimal Spent
    {
        get
        {
            lock (_lock)
            {
                return _spent;
            }
        }
    }

    public int Processed => Volatile.Read(ref _processed);

    public int Failed => Volatile.Read(ref _failed);

    public int FailedAttempts => Volatile.Read(ref _failedAttempts);

    public void AddSpent(decimal usd)
    {
        if (usd == 0)
        {
            return;
        }

        lock (_lock)
        {
            _spent += usd;
        }
    }

    /// <summary>Counts an item whose work succeeded, with the cost no failed-attempt record holds.</summary>
    public void WorkSucceeded(decimal usd)
    {
        lock (_lock)
        {
            _spent += usd;
            _worked++;
        }
    }

    public void AttemptFailed() => Interlocked.Increment(ref _failedAttempts);

    public void ItemFailed() => Interlocked.Increment(ref _failed);

    /// <summary>Counts a completed item; returns the progress to report.</summary>
    public StageProgress Completed(string stage, string key)
    {
        lock (_lock)
        {
            _processed++;
            return ProgressLocked(stage, key, lastFailed: false);
        }
    }

    public StageProgress Progress(string stage, string? key, bool lastFailed)
    {
        lock (_lock)
        {
            return ProgressLocked(stage, key, lastFailed);
        }
    }

    /// <summary>The stage's cost per completed item (failed attempts included) times the run's items left.</summary>
    public decimal? EstimatedCostToFinish()
    {
        lock (_lock)
        {
            return EstimateLocked();
        }
    }

    /// <summary>
    /// What the other workers of a shared stage spent (<see cref="ISharedSpendingJournal"/>): the first value is the
    /// baseline of the stage's total read at the start, later ones add what they spent since to it.
    /// </summary>
    public void OthersSpent(decimal usd)
    {
        lock (_lock)
        {
            _othersAtStart ??= usd;
            _othersNow = usd;
        }
    }

    /// <summary>True once a cap is reached; <paramref name="cap"/> then names it for the log.</summary>
    public bool BudgetReached(out decimal cap)
    {
        lock (_lock)
        {
            if (_runBudget is { } run && _othersNow + _spent >= run)
            {
                cap = run;
                return true;
            }

            if (_totalBudget is { } total && _stageCostBefore + (_othersNow - (_othersAtStart ?? 0)) + _spent >= total)
            {
                cap = total;
                return true;
            }

            cap = 0;
            return false;
        }
    }

    /// <summary><c>Budget of $5.00 reached: 212 of 447 items done, ~$5.60 more to finish</c>.</summary>
    public string BudgetMessage(decimal cap)
    {
        lock (_lock)
        {
            var estimate = EstimateLocked();
            var more = estimate is { } e ? $"~${Usd(e)} more to finish" : "no item completed yet to estimate the rest from";
            return $"Budget of ${Usd(cap)} reached: {_skipped + _processed} of {_total} items done, {more}";
        }
    }

    private StageProgress ProgressLocked(string stage, string? key, bool lastFailed) =>
        new(stage, _total, _skipped, _processed, _failed, _spent, key, lastFailed, EstimateLocked());

    // Spending is counted when work ends, so the estimate divides it by the items whose work ended (saved or
    // being saved), not by those already marked: the two tallies move together.
    private decimal? EstimateLocked()
    {
        var left = _total - _skipped - _worked;
        if (left <= 0)
        {
            return 0m;
        }

        var completed = _stageCompletedBefore + _worked;
        if (completed == 0)
        {
            return null;
        }

        return decimal.Round((_stageCostBefore + _spent) / completed * left, 6);
    }

    private static string Usd(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
