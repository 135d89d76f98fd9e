namespace Checkpointing;

/// <summary>
/// The status of a stage, as written to its checkpoint: <c>not_started</c>, <c>in_progress</c>,
/// <c>completed</c>, <c>failed</c>, <c>cancelled</c> or <c>budget_exceeded</c>.
/// </summary>
public enum StageStatus
{
    /// <summary>No checkpoint exists yet.</summary>
    NotStarted,

    /// <summary>A run started and has not completed (it may be running, or it died).</summary>
    InProgress,

    /// <summary>The last run processed every item it was given.</summary>
    Completed,

    /// <summary>The last run stopped on an error, or ended with failed items; completed items are kept.</summary>
    Failed,

    /// <summary>The last run was cancelled (e.g. Ctrl+C); completed items are kept.</summary>
    Cancelled,

    /// <summary>The last run stopped at its cost budget; completed items are kept and a run with a higher cap resumes.</summary>
    BudgetExceeded,
}

/// <summary>
/// How one run of a stage ended, as written to the run history (<c>runs[].status</c>) and the
/// <c>run_ended</c> journal record: <c>in_progress</c>, <c>completed</c>, <c>failed</c>, <c>cancelled</c>,
/// <c>budget_exceeded</c> or <c>interrupted</c>.
/// </summary>
public enum RunStatus
{
    /// <summary>The run has not ended (it is running, or its process died and no later open has closed it).</summary>
    InProgress,

    /// <summary>The run processed every item it was given.</summary>
    Completed,

    /// <summary>The run stopped on an error, or ended with failed items.</summary>
    Failed,

    /// <summary>The run was cancelled.</summary>
    Cancelled,

    /// <summary>The run stopped at its cost budget.</summary>
    BudgetExceeded,

    /// <summary>The run never ended: its process died, and a later open of the stage closed it.</summary>
    Interrupted,
}

/// <summary>What a stage does when the work of one item throws.</summary>
public enum ItemFailurePolicy
{
    /// <summary>Mark the stage failed (keeping every completed item) and rethrow. The default.</summary>
    FailStage,

    /// <summary>Record the failed item with its error and go on; failed items are retried on the next run.</summary>
    SkipItem,
}
