namespace Checkpointing.SharedFiles;

/// <summary>
/// Thrown when a batch could not be saved after its retries. The shared file is left as its last good version
/// (the one the checkpoint records); the batch's items are pending and done again by the next run.
/// </summary>
public sealed class SharedFileSaveException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The shared file.</param>
    /// <param name="batch">The batch that could not be saved.</param>
    /// <param name="items">The items of that batch.</param>
    /// <param name="attempts">The attempts made.</param>
    /// <param name="inner">The last failure.</param>
    public SharedFileSaveException(string filePath, int batch, int items, int attempts, Exception inner)
        : base($"Batch {batch} ({items} item{(items == 1 ? "" : "s")}) of the shared file '{filePath}' could not be saved " +
               $"after {attempts} attempt{(attempts == 1 ? "" : "s")}: {inner.Message} The file is left as its last good version; " +
               "the batch's items are done again by the next run.", inner)
    {
        FilePath = filePath;
        Batch = batch;
        Items = items;
        Attempts = attempts;
    }

    /// <summary>The shared file.</summary>
    public string FilePath { get; }

    /// <summary>The batch that could not be saved.</summary>
    public int Batch { get; }

    /// <summary>The items of that batch.</summary>
    public int Items { get; }

    /// <summary>The attempts made.</summary>
    public int Attempts { get; }
}
