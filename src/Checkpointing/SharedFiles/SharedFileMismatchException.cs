using System.Text;
using Checkpointing.IO;

namespace Checkpointing.SharedFiles;

/// <summary>
/// Thrown when a shared file no longer matches its checkpoint (edited by hand, restored from elsewhere, missing):
/// the message says what differs. Run with <see cref="SharedFileOptions.Force"/> to accept the file as it is, or
/// with <see cref="SharedFileStart.Fresh"/> to set it aside.
/// </summary>
public sealed class SharedFileMismatchException : IOException
{
    private const int KeysShown = 10;

    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The shared file.</param>
    /// <param name="checkpointPath">The checkpoint.</param>
    /// <param name="batch">The checkpoint's last batch.</param>
    /// <param name="expectedSha256">The checkpoint's hash of the file, if any.</param>
    /// <param name="rowsInFile">The rows the file holds, or <see langword="null"/> when it is missing or unreadable.</param>
    /// <param name="rowsInCheckpoint">The rows the checkpoint expects.</param>
    /// <param name="missingKeys">Keys the checkpoint expects that the file lacks.</param>
    /// <param name="extraKeys">Keys in the file that the checkpoint does not expect.</param>
    /// <param name="readError">Why the file could not be read, if it could not.</param>
    public SharedFileMismatchException(string filePath, string checkpointPath, int batch, string? expectedSha256, int? rowsInFile, int rowsInCheckpoint, IReadOnlyList<string> missingKeys, IReadOnlyList<string> extraKeys, string? readError)
        : base(BuildMessage(filePath, checkpointPath, batch, expectedSha256, rowsInFile, rowsInCheckpoint, missingKeys, extraKeys, readError))
    {
        FilePath = filePath;
        CheckpointPath = checkpointPath;
        Batch = batch;
        ExpectedSha256 = expectedSha256;
        RowsInFile = rowsInFile;
        RowsInCheckpoint = rowsInCheckpoint;
        MissingKeys = missingKeys;
        ExtraKeys = extraKeys;
        ReadError = readError;
    }

    /// <summary>The shared file.</summary>
    public string FilePath { get; }

    /// <summary>The checkpoint.</summary>
    public string CheckpointPath { get; }

    /// <summary>The checkpoint's last batch (0 when it has none).</summary>
    public int Batch { get; }

    /// <summary>The SHA-256 the checkpoint expects, or <see langword="null"/> when it expects no file.</summary>
    public string? ExpectedSha256 { get; }

    /// <summary>The rows the file holds; <see langword="null"/> when it is missing or cannot be read.</summary>
    public int? RowsInFile { get; }

    /// <summary>The rows the checkpoint expects.</summary>
    public int RowsInCheckpoint { get; }

    /// <summary>Keys the checkpoint expects that the file lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Keys the file holds that the checkpoint does not expect.</summary>
    public IReadOnlyList<string> ExtraKeys { get; }

    /// <summary>Why the file could not be read, when it could not.</summary>
    public string? ReadError { get; }

    private static string BuildMessage(string filePath, string checkpointPath, int batch, string? sha, int? rowsInFile, int rowsInCheckpoint, IReadOnlyList<string> missing, IReadOnlyList<string> extra, string? readError)
    {
        var text = new StringBuilder();
        text.Append($"The shared file '{filePath}' does not match its checkpoint '{checkpointPath}' (batch {batch}");
        text.Append(sha is null ? ", no file saved yet" : $", SHA-256 {sha[..Math.Min(12, sha.Length)]}...").Append("): ");
        if (readError is not null)
        {
            text.Append($"it cannot be read ({readError}); the checkpoint expects {rowsInCheckpoint} rows");
        }
        else if (rowsInFile is null)
        {
            text.Append($"it is missing; the checkpoint expects {rowsInCheckpoint} rows");
        }
        else
        {
            text.Append($"it holds {rowsInFile} rows, the checkpoint {rowsInCheckpoint}");
            AppendKeys(text, missing, "missing");
            AppendKeys(text, extra, "extra");
            if (missing.Count == 0 && extra.Count == 0)
            {
                text.Append("; the same keys, but the content differs (a row was changed)");
            }
        }

        text.Append(". If the file was changed on purpose, run with Force to accept it as it is, or Fresh to set it aside and start over");
        if (sha is not null && rowsInFile is null && readError is null)
        {
            text.Append($"; the previous version may be in '{filePath}{AtomicFile.BackupSuffix}'");
        }

        return text.Append('.').ToString();
    }

    private static void AppendKeys(StringBuilder text, IReadOnlyList<string> keys, string what)
    {
        if (keys.Count == 0)
        {
            return;
        }

        text.Append($"; {keys.Count} key{(keys.Count == 1 ? "" : "s")} {what} (");
        text.Append(string.Join(", ", keys.Take(KeysShown)));
        text.Append(keys.Count > KeysShown ? ", ...)" : ")");
    }
}
