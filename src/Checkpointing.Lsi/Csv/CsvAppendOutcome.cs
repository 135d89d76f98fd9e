namespace Checkpointing.Csv;

/// <summary>What one append did.</summary>
public enum CsvAppendOutcome
{
    /// <summary>The row was appended and is durable.</summary>
    Appended,

    /// <summary>The row replaced the row of the same key; the rewrite is durable.</summary>
    Replaced,

    /// <summary>A row of the same key was already in the file and the policy is <see cref="DuplicateRowPolicy.Skip"/>.</summary>
    SkippedDuplicate,

    /// <summary>
    /// An I/O failure prevented the write; a warning was logged and the file holds the rows before it. (As a stage's
    /// save hook, <see cref="CumulativeCsvCheckpoint{T}.OnOutputSavedAsync"/> throws instead, so the item fails.)
    /// </summary>
    Failed,
}
