namespace Checkpointing.SharedFiles;

/// <summary>
/// The format of a shared output file, supplied by the user: how to write the whole new file from the previous
/// one plus a batch of updated rows, and how to read back the rows a saved file holds.
/// </summary>
/// <remarks>
/// The methods are synchronous on purpose: <see cref="SharedFileBatches{TRow}"/> does every file operation
/// itself (through its crash-tested file layer) and hands the format in-memory streams, so the format is
/// CPU work only. An implementation must be deterministic enough that <see cref="Read"/> of what
/// <see cref="Write"/> produced returns every key once.
/// </remarks>
/// <typeparam name="TRow">The row type.</typeparam>
public interface ISharedFileFormat<TRow>
{
    /// <summary>
    /// Writes the whole new file to <paramref name="destination"/>: the rows of <paramref name="previous"/>,
    /// with each row of <paramref name="updates"/> replacing the row of the same key or added when the key is new.
    /// </summary>
    /// <param name="previous">The previous version of the file, or <see langword="null"/> on the first save.</param>
    /// <param name="updates">The batch of rows, each key once.</param>
    /// <param name="destination">Where the new file goes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    void Write(Stream? previous, IReadOnlyList<SharedFileRow<TRow>> updates, Stream destination, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the keys and rows a saved file holds, in file order. Throws (any exception) when the content is not a
    /// valid file of this format; the message should name the line, row or cell.
    /// </summary>
    /// <param name="file">The file's content.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    IReadOnlyList<SharedFileRow<TRow>> Read(Stream file, CancellationToken cancellationToken);

    /// <summary>The approximate size of <paramref name="row"/> in bytes, used by <see cref="SharedFileBatchPolicy.Adaptive"/>.</summary>
    /// <param name="row">The row.</param>
    long EstimateSize(TRow row);
}
