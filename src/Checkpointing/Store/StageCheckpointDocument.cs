using System.Text.Json.Serialization;

namespace Checkpointing.Store;

/// <summary>
/// The state of a stage's checkpoint: the content of <c>&lt;root&gt;/&lt;runId&gt;/checkpoints/&lt;stage&gt;.json</c>
/// (format <c>checkpointing.stage</c>, version 1, documented in docs/checkpoint-format.md) with the journal applied.
/// This type is the file's shape only; how journal records change it is <c>StageCheckpointReducer</c>'s job.
/// </summary>
public sealed class StageCheckpointDocument
{
    /// <summary>The format name written in every snapshot.</summary>
    public const string FormatName = "checkpointing.stage";

    /// <summary>The version this library writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; set; } = FormatName;

    /// <summary>The format version.</summary>
    [JsonPropertyName("version")] public int Version { get; set; } = CurrentVersion;

    /// <summary>The stage name.</summary>
    [JsonPropertyName("stage")] public string Stage { get; set; } = "";

    /// <summary>The run id.</summary>
    [JsonPropertyName("run_id")] public string RunId { get; set; } = "";

    /// <summary>The outputs' folder, relative to the run folder.</summary>
    [JsonPropertyName("output_dir")] public string OutputDirectory { get; set; } = "";

    /// <summary>
    /// The stage's status: <c>not_started</c>, <c>in_progress</c>, <c>completed</c>, <c>failed</c>,
    /// <c>cancelled</c> or <c>budget_exceeded</c> in the file.
    /// </summary>
    [JsonPropertyName("status")] [JsonConverter(typeof(StageStatusJsonConverter))] public StageStatus Status { get; set; }

    /// <summary>When the first run since the last reset started.</summary>
    [JsonPropertyName("started_at")] public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the state last changed.</summary>
    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>When the stage last completed.</summary>
    [JsonPropertyName("completed_at")] public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>When the stage failed, while <see cref="Status"/> is <see cref="StageStatus.Failed"/> (cleared by a later run end that is not a failure).</summary>
    [JsonPropertyName("failed_at")] public DateTimeOffset? FailedAt { get; set; }

    /// <summary>When the last fresh start reset the stage; outputs saved before it are not adopted.</summary>
    [JsonPropertyName("reset_at")] public DateTimeOffset? ResetAt { get; set; }

    /// <summary>The error of the failure, while <see cref="Status"/> is <see cref="StageStatus.Failed"/> (cleared by a later run end that is not a failure).</summary>
    [JsonPropertyName("error")] public string? Error { get; set; }

    /// <summary>
    /// What the stage has spent since its last reset (all runs, failed attempts included), in US dollars.
    /// </summary>
    [JsonPropertyName("total_cost_usd")] public decimal TotalCostUsd { get; set; }

    /// <summary>What the stage has ever spent, resets included.</summary>
    [JsonPropertyName("lifetime_cost_usd")] public decimal LifetimeCostUsd { get; set; }

    /// <summary>
    /// The estimated cost of the items the last run left undone (the stage's cost per completed item times the
    /// items left), written when a run ends; null when nothing is completed yet to estimate from.
    /// </summary>
    [JsonPropertyName("estimated_cost_to_finish_usd")] public decimal? EstimatedCostToFinishUsd { get; set; }

    /// <summary>The number of completed items.</summary>
    [JsonPropertyName("completed_count")] public int CompletedCount { get; set; }

    /// <summary>The completed items by key.</summary>
    [JsonPropertyName("completed")] public Dictionary<string, CompletedItem> Completed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The items with failed attempts that have not completed since, by key (removed when the item completes).</summary>
    [JsonPropertyName("failed")] public Dictionary<string, FailedItem> Failed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every run of the stage, oldest first (kept across resets).</summary>
    [JsonPropertyName("runs")] public List<RunRecord> Runs { get; set; } = [];

    /// <summary>The sequence number of the last journal record included in this snapshot.</summary>
    [JsonPropertyName("journal_seq")] public long JournalSequence { get; set; }

    /// <summary>The average cost of a completed item, or 0.</summary>
    [JsonIgnore]
    public decimal AverageItemCostUsd
    {
        get
        {
            if (Completed.Count == 0)
            {
                return 0;
            }

            decimal sum = 0;
            foreach (var item in Completed.Values)
            {
                sum += item.CostUsd;
            }

            return sum / Completed.Count;
        }
    }

    /// <summary>A copy that shares nothing mutable with this one (the journal hands these out while it applies records).</summary>
    internal StageCheckpointDocument Clone()
    {
        var copy = (StageCheckpointDocument)MemberwiseClone();
        copy.Completed = new Dictionary<string, CompletedItem>(Completed, StringComparer.Ordinal);
        copy.Failed = new Dictionary<string, FailedItem>(Failed, StringComparer.Ordinal);
        copy.Runs = Runs.Select(r => r with { }).ToList();
        return copy;
    }
}

/// <summary>A completed item in a <see cref="StageCheckpointDocument"/>.</summary>
public sealed record CompletedItem
{
    /// <summary>What the item's work cost.</summary>
    [JsonPropertyName("cost_usd")] public decimal CostUsd { get; init; }

    /// <summary>When it was marked complete.</summary>
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }

    /// <summary>True when it was adopted from an output saved before a crash.</summary>
    [JsonPropertyName("adopted")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Adopted { get; init; }

    /// <summary>How many attempts it took, failed ones included, when more than one.</summary>
    [JsonPropertyName("attempts")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Attempts { get; init; }
}

/// <summary>A failed item in a <see cref="StageCheckpointDocument"/>.</summary>
public sealed record FailedItem
{
    /// <summary>The last error.</summary>
    [JsonPropertyName("error")] public string Error { get; init; } = "";

    /// <summary>When it last failed.</summary>
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }

    /// <summary>How many attempts failed on it, across runs (retries included).</summary>
    [JsonPropertyName("attempts")] public int Attempts { get; init; }

    /// <summary>What its failed attempts cost so far (already counted in the stage's total).</summary>
    [JsonPropertyName("cost_usd")] public decimal CostUsd { get; init; }
}

/// <summary>One run of a stage in a <see cref="StageCheckpointDocument"/>.</summary>
public sealed record RunRecord
{
    /// <summary>The run's number, from 1.</summary>
    [JsonPropertyName("run")] public int Run { get; set; }

    /// <summary>When it started.</summary>
    [JsonPropertyName("started_at")] public DateTimeOffset StartedAt { get; set; }

    /// <summary>When it ended; null while running or when the process died.</summary>
    [JsonPropertyName("ended_at")] public DateTimeOffset? EndedAt { get; set; }

    /// <summary>
    /// How it ended: <see cref="RunStatus.InProgress"/> while running; <see cref="RunStatus.Interrupted"/> when its
    /// process died before recording its end (set by the next open of the stage, with <see cref="EndedAt"/> the
    /// time of the run's last record).
    /// </summary>
    [JsonPropertyName("status")] [JsonConverter(typeof(RunStatusJsonConverter))] public RunStatus Status { get; set; }

    /// <summary>Whether it resumed (false: a fresh start).</summary>
    [JsonPropertyName("resume")] public bool Resume { get; set; }

    /// <summary>True when the run reset the stage's state.</summary>
    [JsonPropertyName("reset")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Reset { get; set; }

    /// <summary>The number of distinct items it was given; null when the run did not say (older checkpoints).</summary>
    [JsonPropertyName("items")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Items { get; set; }

    /// <summary>Items it processed.</summary>
    [JsonPropertyName("processed")] public int Processed { get; set; }

    /// <summary>Items it adopted from outputs saved by a run that died before marking them.</summary>
    [JsonPropertyName("adopted")] public int Adopted { get; set; }

    /// <summary>Items it skipped as already complete.</summary>
    [JsonPropertyName("skipped")] public int Skipped { get; set; }

    /// <summary>Items that failed in it.</summary>
    [JsonPropertyName("failed")] public int Failed { get; set; }

    /// <summary>Attempts that failed in it (each retry of an item that then succeeded counts too).</summary>
    [JsonPropertyName("failed_attempts")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int FailedAttempts { get; set; }

    /// <summary>The keys it processed again although they were complete (<see cref="StageRunOptions.RedoKeys"/>).</summary>
    [JsonPropertyName("redo")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Redo { get; set; }

    /// <summary>Why those keys were redone (<see cref="StageRunOptions.RedoReason"/>).</summary>
    [JsonPropertyName("redo_reason")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RedoReason { get; set; }

    /// <summary>The estimated cost of the items it left undone, when it ended.</summary>
    [JsonPropertyName("estimated_cost_to_finish_usd")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public decimal? EstimatedCostToFinishUsd { get; set; }

    /// <summary>Completed items whose outputs it found missing or invalid.</summary>
    [JsonPropertyName("invalidated")] public int Invalidated { get; set; }

    /// <summary>What it paid for: the cost of the items it processed (not of those it adopted).</summary>
    [JsonPropertyName("cost_usd")] public decimal CostUsd { get; set; }

    /// <summary>The cost of the outputs it adopted, paid for by an earlier run that died before marking them.</summary>
    [JsonPropertyName("adopted_cost_usd")] public decimal AdoptedCostUsd { get; set; }

    /// <summary>Its error, when it failed.</summary>
    [JsonPropertyName("error")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; set; }
}
