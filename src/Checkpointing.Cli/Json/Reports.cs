namespace Checkpointing.Cli.Json;

// The --json shapes, documented in docs/cli.md. Every document starts with "schema" and "version"; a
// version only changes when a field is removed or changes meaning (new fields may be added within one).

/// <summary>The output of <c>checkpoint status --json</c>.</summary>
internal sealed record StatusReport(string Root, DateTimeOffset GeneratedAt, IReadOnlyList<StageEntry> Stages, IReadOnlyList<BatchEntry> Batches, IReadOnlyList<PhaseEntry> Phases)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-2)]
    public string Schema => "checkpointing.cli.status";

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int Version => 1;
}

/// <summary>One stage in a <see cref="StatusReport"/>.</summary>
internal sealed record StageEntry(
    string RunId,
    string Stage,
    string State,
    string? Status,
    bool Running,
    string? OutputDir,
    int? Items,
    int Completed,
    int Failed,
    int? Remaining,
    decimal CostUsd,
    decimal LifetimeCostUsd,
    decimal AverageItemCostUsd,
    decimal? EstimatedCostToFinishUsd,
    DateTimeOffset? StartedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? ResetAt,
    string? Error,
    IReadOnlyList<FailedItemEntry> FailedItems,
    LockEntry? Lock,
    IReadOnlyList<LockEntry> Workers,
    int Runs,
    RunEntry? LastRun,
    string? Problem);

/// <summary>A shared-file batch checkpoint in a <see cref="StatusReport"/> (docs/shared-file-batches.md).</summary>
internal sealed record BatchEntry(
    string RunId, string Name, string Status, string? File, int Batch, int Rows, int Completed, int Failed, decimal CostUsd,
    DateTimeOffset? UpdatedAt, string? Error, string? Problem);

/// <summary>A phase's snapshots in a <see cref="StatusReport"/> (docs/phase-snapshots.md).</summary>
internal sealed record PhaseEntry(
    string Phase, string Path, int Snapshots, int Valid, long? LatestSequence, int? LatestIteration, DateTimeOffset? LatestAt,
    bool Complete, bool Running, LockEntry? Lock, string? Problem);

/// <summary>A failed item.</summary>
internal sealed record FailedItemEntry(string Key, string Error, int Attempts, DateTimeOffset At);

/// <summary>A lock holder.</summary>
internal sealed record LockEntry(int? Pid, string? Host, DateTimeOffset? Since, bool? Alive);

/// <summary>A run of a stage.</summary>
internal sealed record RunEntry(
    int Run, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, bool Resume, int? Items,
    int Processed, int Adopted, int Skipped, int Failed, int Invalidated, decimal CostUsd, string? Error);

/// <summary>The output of <c>checkpoint validate --json</c>.</summary>
internal sealed record ValidateReport(string Path, bool Ok, int Errors, int Warnings, IReadOnlyList<CheckedEntry> Checked, IReadOnlyList<Finding> Findings)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-2)]
    public string Schema => "checkpointing.cli.validate";

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int Version => 1;
}

/// <summary>A file or stage that was checked.</summary>
/// <param name="Kind"><c>stage</c>, <c>csv</c> or <c>output</c>.</param>
/// <param name="Path">The checkpoint or file.</param>
/// <param name="Summary">What it holds, in a few words.</param>
internal sealed record CheckedEntry(string Kind, string Path, string Summary);

/// <summary>One problem, or a note about something that is fine but worth knowing.</summary>
/// <param name="Severity"><c>error</c> (exit code 1), <c>warning</c> or <c>info</c>.</param>
/// <param name="File">The file it is about.</param>
/// <param name="Line">The 1-based line, when it is about one.</param>
/// <param name="Key">The item key or row key, when it is about one.</param>
/// <param name="Column">The CSV column, when it is about one.</param>
/// <param name="Message">What is wrong.</param>
internal sealed record Finding(string Severity, string File, int? Line, string? Key, string? Column, string Message)
{
    public static Finding Error(string file, string message, int? line = null, string? key = null, string? column = null) =>
        new("error", file, line, key, column, message);

    public static Finding Warning(string file, string message, int? line = null, string? key = null, string? column = null) =>
        new("warning", file, line, key, column, message);

    public static Finding Info(string file, string message, int? line = null, string? key = null, string? column = null) =>
        new("info", file, line, key, column, message);
}

/// <summary>The output of <c>checkpoint compare --json</c>.</summary>
internal sealed record CompareReport(
    string Cumulative,
    string Batch,
    string KeyColumn,
    bool Identical,
    int CumulativeRows,
    int BatchRows,
    IReadOnlyList<string> ColumnsOnlyInCumulative,
    IReadOnlyList<string> ColumnsOnlyInBatch,
    IReadOnlyList<RowRef> MissingFromBatch,
    IReadOnlyList<RowRef> ExtraInBatch,
    IReadOnlyList<RowDifference> Different,
    IReadOnlyList<Finding> Problems)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-2)]
    public string Schema => "checkpointing.cli.compare";

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int Version => 1;
}

/// <summary>A row by key and line.</summary>
internal sealed record RowRef(string Key, int Line);

/// <summary>A key whose rows differ.</summary>
internal sealed record RowDifference(string Key, int CumulativeLine, int BatchLine, IReadOnlyList<CellDifference> Cells);

/// <summary>One differing cell.</summary>
internal sealed record CellDifference(string Column, string Cumulative, string Batch);

/// <summary>The output of <c>checkpoint list --json</c>.</summary>
internal sealed record ListReport(string Root, IReadOnlyList<FileEntry> Files)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-2)]
    public string Schema => "checkpointing.cli.list";

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int Version => 1;
}

/// <summary>A file the library wrote.</summary>
/// <param name="Path">The file.</param>
/// <param name="Kind">What it is (see docs/cli.md).</param>
/// <param name="Group">Files of one group are counted together by <c>clean --keep</c> (e.g. one imprint's cumulative CSVs).</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="ModifiedAt">When it was last written.</param>
/// <param name="Note">What is known about it, such as a stage's status or a CSV's row count.</param>
internal sealed record FileEntry(string Path, string Kind, string Group, long SizeBytes, DateTimeOffset ModifiedAt, string? Note);

/// <summary>The output of <c>checkpoint clean --json</c>.</summary>
internal sealed record CleanReport(string Root, bool DryRun, double OlderThanSeconds, int Keep, long FreedBytes, IReadOnlyList<CleanEntry> Files)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-2)]
    public string Schema => "checkpointing.cli.clean";

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int Version => 1;
}

/// <summary>A file <c>clean</c> looked at.</summary>
/// <param name="Path">The file.</param>
/// <param name="Kind">What it is.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="ModifiedAt">When it was last written.</param>
/// <param name="Action"><c>deleted</c>, <c>would_delete</c> (dry run) or <c>kept</c>.</param>
/// <param name="Reason">Why.</param>
internal sealed record CleanEntry(string Path, string Kind, long SizeBytes, DateTimeOffset ModifiedAt, string Action, string Reason);

/// <summary>The output of <c>checkpoint redo --json</c> and <c>checkpoint reset --json</c>.</summary>
internal sealed record ChangeReport(
    string Command,
    string Root,
    string RunId,
    string Stage,
    bool Applied,
    IReadOnlyList<string> Keys,
    string? Reason,
    int DiscardedItems,
    decimal DiscardedCostUsd,
    decimal CostUsd,
    decimal LifetimeCostUsd,
    IReadOnlyList<MovedOutput> MovedOutputs)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-2)]
    public string Schema => "checkpointing.cli." + Command;

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public int Version => 1;
}

/// <summary>An output set aside by redo.</summary>
internal sealed record MovedOutput(string Key, string From, string To);
