namespace Checkpointing.SharedFiles;

/// <summary>The status of a shared file's checkpoint, or of one run.</summary>
public enum SharedFileRunStatus
{
    /// <summary>No run has started since the checkpoint was created or reset.</summary>
    NotStarted,

    /// <summary>A run is active, or its process died.</summary>
    InProgress,

    /// <summary>The run saved every item it was given.</summary>
    Completed,

    /// <summary>The run ended with failed items (retried next run) or a failed save.</summary>
    Failed,

    /// <summary>The run was cancelled; what was done is saved.</summary>
    Cancelled,
}
