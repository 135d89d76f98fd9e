namespace Checkpointing;

/// <summary>Thrown when an item's work fails under <see cref="ItemFailurePolicy.FailStage"/>; completed items are kept.</summary>
public sealed class StageFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StageFailedException(string stageName, StageRunResult result, Exception inner)
        : base($"Stage '{stageName}' failed: {inner.Message} ({result.Processed} item(s) completed in this run are kept; rerun to resume).", inner)
    {
        StageName = stageName;
        Result = result;
    }

    /// <summary>The stage that failed.</summary>
    public string StageName { get; }

    /// <summary>What the run did before it failed.</summary>
    public StageRunResult Result { get; }
}

/// <summary>
/// Thrown when a run stops at <see cref="StageRunOptions.CostBudgetUsd"/> or <see cref="StageRunOptions.TotalCostBudgetUsd"/>:
/// no new item started once the cap was reached, the items in flight finished and were saved, and the checkpoint
/// records <c>budget_exceeded</c>. A run with a higher cap resumes where this one stopped.
/// </summary>
public sealed class StageBudgetExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StageBudgetExceededException(string stageName, StageRunResult result, decimal budgetUsd, string message)
        : base($"Stage '{stageName}': {message}.")
    {
        StageName = stageName;
        Result = result;
        BudgetUsd = budgetUsd;
    }

    /// <summary>The stage that stopped.</summary>
    public string StageName { get; }

    /// <summary>What the run did before it stopped, including <see cref="StageRunResult.EstimatedCostToFinishUsd"/>.</summary>
    public StageRunResult Result { get; }

    /// <summary>The cap that was reached, in US dollars.</summary>
    public decimal BudgetUsd { get; }
}

/// <summary>Thrown when a run is cancelled; completed items are kept and <see cref="Result"/> says what the run did.</summary>
public sealed class StageCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public StageCanceledException(string stageName, StageRunResult result, CancellationToken cancellationToken)
        : base($"Stage '{stageName}' was cancelled; {result.Processed} item(s) completed in this run are kept.", cancellationToken)
    {
        StageName = stageName;
        Result = result;
    }

    /// <summary>The cancelled stage.</summary>
    public string StageName { get; }

    /// <summary>What the run did before it was cancelled.</summary>
    public StageRunResult Result { get; }
}
