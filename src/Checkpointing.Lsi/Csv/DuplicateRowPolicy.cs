namespace Checkpointing.Csv;

/// <summary>What <see cref="CumulativeCsvCheckpoint{T}.AppendAsync"/> does with a book whose key is already in the file.</summary>
public enum DuplicateRowPolicy
{
    /// <summary>Keep the row already in the file (a resumed run re-preparing a book writes nothing).</summary>
    Skip,

    /// <summary>Replace the row: the file is rewritten atomically with the new row in place of the old one.</summary>
    Replace,
}
