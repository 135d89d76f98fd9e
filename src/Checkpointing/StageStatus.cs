namespace Checkpointing;

/// <summary>The status of a stage, as written to its checkpoint (<c>in_progress</c>, <c>completed</c>, <c>failed</c>).</summary>
public enum StageStatus
{
    /// <summary>No checkpoint exists yet.</summary>
    NotStarted,

    /// <summary>A run started and has not completed (it may be running, or it died).</summary>
    InProgress,

    /// <summary>The last run processed every item it was given.</summary>
    Completed,

    /// <summary>The last run stopped on an error; completed items are kept.</summary>
    Failed,
}

/// <summary>What a stage does when the work of one item throws.</summary>
public enum ItemFailurePolicy
{
    /// <summary>Mark the stage failed (keeping every completed item) and rethrow. The default.</summary>
    FailStage,

    /// <summary>Record the failed item with its error and go on; failed items are retried on the next run.</summary>
    SkipItem,
}
