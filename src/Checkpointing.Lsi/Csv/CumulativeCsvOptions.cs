using CsvHelper;
using Microsoft.Extensions.Logging;

namespace Checkpointing.Csv;

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
