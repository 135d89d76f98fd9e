using System.Text.Json.Serialization.Metadata;

namespace Checkpointing.Csv;

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
