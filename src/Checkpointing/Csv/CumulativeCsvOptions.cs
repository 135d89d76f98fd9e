using System.Text.Json.Serialization.Metadata;
using CsvHelper;
using Microsoft.Extensions.Logging;

namespace Checkpointing.Csv;

/// <summary>What <see cref="CumulativeCsvCheckpoint{T}.AppendAsync"/> does with a book whose key is already in the file.</summary>
public enum DuplicateRowPolicy
{
    /// <summary>Keep the row already in the file (a resumed run re-preparing a book writes nothing).</summary>
    Skip,

    /// <summary>Replace the row: the file is rewritten atomically with the new row in place of the old one.</summary>
    Replace,
}

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

/// <summary>Options of <see cref="CumulativeCsvCheckpoint{T}"/>.</summary>
public sealed record CumulativeCsvOptions
{
    /// <summary>The id of the pipeline run, reported by <see cref="CumulativeCsvCheckpoint{T}.Info"/>.</summary>
    public string? PipelineId { get; init; }

    /// <summary>What to do with a book whose key is already in the file. Defaults to <see cref="DuplicateRowPolicy.Skip"/>.</summary>
    public DuplicateRowPolicy Duplicates { get; init; } = DuplicateRowPolicy.Skip;

    /// <summary>
    /// Whether an I/O failure (disk full, permission) throws a <see cref="CumulativeCsvException"/>. Defaults to
    /// <see langword="false"/>: the failure is logged as a warning and the pipeline continues, since the
    /// checkpoint CSV is a safety net and the final batch file is still written from the stage outputs.
    /// </summary>
    public bool FailOnIOError { get; init; }

    /// <summary>Whether opening continues the latest checkpoint file of the imprint. Defaults to <see langword="true"/>.</summary>
    public bool ResumeLatest { get; init; } = true;

    /// <summary>The logger of warnings (torn tails, I/O failures); none by default.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The clock of file names and <see cref="CheckpointInfo.LastUpdated"/>; the system clock by default.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The writer options; <c>CsvWriterOptions.For&lt;T&gt;()</c> by default (the LSI dialect for <c>[LsiRecord]</c> types).</summary>
    public CsvWriterOptions? WriterOptions { get; init; }

    /// <summary>The reader options; <c>CsvReaderOptions.For&lt;T&gt;()</c> by default.</summary>
    public CsvReaderOptions? ReaderOptions { get; init; }

    /// <summary>
    /// The stage whose saved outputs are the rows (the generated <c>OpenCumulativeCsvAsync</c> of a <c>[Checkpointed]</c>
    /// stage sets it). Finalizing then checks that every item the stage counts complete has its row: a missing row
    /// is appended from the item's saved output, and the finalize fails naming the items when that cannot be done.
    /// </summary>
    public CumulativeCsvStage? Stage { get; init; }
}

/// <summary>
/// Where a <c>[Checkpointed]</c> stage keeps its checkpoint and outputs (with the file checkpoint store), so that a
/// cumulative CSV built from its outputs can be checked against the items it counts complete.
/// </summary>
/// <param name="Root">The storage root.</param>
/// <param name="RunId">The run id.</param>
/// <param name="StageName">The stage name.</param>
/// <param name="OutputDirectory">The outputs' folder under the run folder (the stage name unless the stage names one).</param>
/// <param name="OutputTypeInfo">The JSON metadata of the stage's output type: the record type of the CSV.</param>
public sealed record CumulativeCsvStage(string Root, string RunId, string StageName, string OutputDirectory, JsonTypeInfo OutputTypeInfo);

/// <summary>The state of a cumulative checkpoint CSV.</summary>
/// <param name="FilePath">The checkpoint file.</param>
/// <param name="BooksProcessed">The rows in the file.</param>
/// <param name="LastUpdated">When a row was last written, or when the file was opened.</param>
/// <param name="Imprint">The imprint of the file.</param>
/// <param name="PipelineId">The pipeline run, from <see cref="CumulativeCsvOptions.PipelineId"/>.</param>
/// <param name="FailedAppends">The appends that failed on I/O since the file was opened.</param>
public sealed record CheckpointInfo(string FilePath, int BooksProcessed, DateTimeOffset LastUpdated, string Imprint, string? PipelineId, int FailedAppends);

/// <summary>What opening a checkpoint file found and repaired.</summary>
/// <param name="Resumed">Whether an existing file was continued.</param>
/// <param name="TrimmedBytes">The bytes of a partial last row (a write cut by a crash) that were removed.</param>
/// <param name="TornLine">The line where that partial row started.</param>
/// <param name="DuplicateRowsRemoved">Rows whose key appeared earlier in the file, removed by an atomic rewrite.</param>
public sealed record CumulativeCsvRecovery(bool Resumed, long TrimmedBytes, int? TornLine, int DuplicateRowsRemoved)
{
    /// <inheritdoc/>
    public override string ToString() =>
        (Resumed ? "resumed" : "created") +
        (TrimmedBytes > 0 ? $"; trimmed a partial row of {TrimmedBytes} bytes at line {TornLine}" : "") +
        (DuplicateRowsRemoved > 0 ? $"; removed {DuplicateRowsRemoved} duplicate row(s)" : "");
}

/// <summary>Thrown when a cumulative checkpoint cannot be used (I/O failure with <see cref="CumulativeCsvOptions.FailOnIOError"/>, or a damaged file).</summary>
public sealed class CumulativeCsvException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CumulativeCsvException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>Thrown when another writer holds the cumulative checkpoint of an imprint.</summary>
public sealed class CumulativeCsvLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CumulativeCsvLockedException(string imprint, string lockPath)
        : base($"The cumulative checkpoint CSV of imprint '{imprint}' is being written by another process or another open checkpoint: its lock '{lockPath}' is held. " +
               "Wait for that run to finish or stop it; a lock of a killed process is released automatically.")
    {
        Imprint = imprint;
        LockPath = lockPath;
    }

    /// <summary>The imprint.</summary>
    public string Imprint { get; }

    /// <summary>The lock file.</summary>
    public string LockPath { get; }
}
