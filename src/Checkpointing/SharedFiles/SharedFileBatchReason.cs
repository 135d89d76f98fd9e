namespace Checkpointing.SharedFiles;

/// <summary>Why a batch was saved.</summary>
public enum SharedFileBatchReason
{
    /// <summary>The item limit of the policy was reached.</summary>
    Items,

    /// <summary>The oldest buffered row waited the policy's interval.</summary>
    Time,

    /// <summary>The buffered rows passed the policy's byte budget.</summary>
    Memory,

    /// <summary>The run completed.</summary>
    Completion,

    /// <summary>The run failed; the rows done before were saved.</summary>
    Failure,

    /// <summary>The run was cancelled; the rows done before were saved.</summary>
    Cancellation,

    /// <summary>An explicit <see cref="SharedFileBatches{TRow}.FlushAsync"/>.</summary>
    Flush,

    /// <summary>A save interrupted between its rename and its checkpoint, adopted when the next run opened.</summary>
    Recovered,

    /// <summary>A file that did not match the checkpoint, accepted with <see cref="SharedFileOptions.Force"/>.</summary>
    Forced,
}
