using System.Text.Json.Serialization;

namespace Checkpointing;

/// <summary>
/// The state of a stage's checkpoint: the content of <c>&lt;root&gt;/&lt;runId&gt;/checkpoints/&lt;stage&gt;.json</c>
/// (format <c>checkpointing.stage</c>, version 1, documented in docs/checkpoint-format.md) with the journal applied.
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

    /// <summary><c>not_started</c>, <c>in_progress</c>, <c>completed</c> or <c>failed</c>.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "not_started";

    /// <summary>When the first run since the last reset started.</summary>
    [JsonPropertyName("started_at")] public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the state last changed.</summary>
    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>When the stage last completed.</summary>
    [JsonPropertyName("completed_at")] public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>When the stage last failed.</summary>
    [JsonPropertyName("failed_at")] public DateTimeOffset? FailedAt { get; set; }

    /// <summary>When the last fresh start reset the stage; outputs saved before it are not adopted.</summary>
    [JsonPropertyName("reset_at")] public DateTimeOffset? ResetAt { get; set; }

    /// <summary>The error of the last failure, while <see cref="Status"/> is <c>failed</c>.</summary>
    [JsonPropertyName("error")] public string? Error { get; set; }

    /// <summary>What the stage has spent since its last reset (all runs), in US dollars.</summary>
    [JsonPropertyName("total_cost_usd")] public decimal TotalCostUsd { get; set; }

    /// <summary>What the stage has ever spent, resets included.</summary>
    [JsonPropertyName("lifetime_cost_usd")] public decimal LifetimeCostUsd { get; set; }

    /// <summary>The number of completed items.</summary>
    [JsonPropertyName("completed_count")] public int CompletedCount { get; set; }

    /// <summary>The completed items by key.</summary>
    [JsonPropertyName("completed")] public Dictionary<string, CompletedItem> Completed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The failed items by key (cleared when an item completes).</summary>
    [JsonPropertyName("failed")] public Dictionary<string, FailedItem> Failed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every run of the stage, oldest first (kept across resets).</summary>
    [JsonPropertyName("runs")] public List<RunRecord> Runs { get; set; } = [];

    /// <summary>The sequence number of the last journal record included in this snapshot.</summary>
    [JsonPropertyName("journal_seq")] public long JournalSequence { get; set; }

    /// <summary>The <see cref="Status"/> as an enum.</summary>
    [JsonIgnore]
    public StageStatus StatusValue => Status switch
    {
        "in_progress" => StageStatus.InProgress,
        "completed" => StageStatus.Completed,
        "failed" => StageStatus.Failed,
        _ => StageStatus.NotStarted,
    };

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

    /// <summary>Applies one record (idempotent for records at or below <see cref="JournalSequence"/>).</summary>
    internal void Apply(CheckpointRecord record)
    {
        if (record.Sequence != 0 && record.Sequence <= JournalSequence)
        {
            return;
        }

        var run = Runs.Count > 0 ? Runs[^1] : null;
        switch (record.Type)
        {
            case CheckpointRecordType.RunStarted:
                Runs.Add(new RunRecord
                {
                    Run = Runs.Count + 1,
                    StartedAt = record.At,
                    Resume = record.Resume ?? true,
                    Items = record.Items,
                    Status = RunRecord.InProgressStatus,
                });
                Status = "in_progress";
                StartedAt ??= record.At;
                Error = null;
                break;
            case CheckpointRecordType.Completed:
            {
                var key = record.Key!;
                var cost = record.CostUsd ?? 0m;
                Completed[key] = new CompletedItem { CostUsd = cost, At = record.At, Adopted = record.Adopted == true ? true : null };
                Failed.Remove(key);
                TotalCostUsd += cost;
                LifetimeCostUsd += cost;
                if (run is not null)
                {
                    // A run's cost is what it paid for; an adopted output was paid for by the run that died.
                    if (record.Adopted == true)
                    {
                        run.Adopted++;
                        run.AdoptedCostUsd += cost;
                    }
                    else
                    {
                        run.Processed++;
                        run.CostUsd += cost;
                    }
                }

                break;
            }

            case CheckpointRecordType.ItemFailed:
            {
                var key = record.Key!;
                var attempts = Failed.TryGetValue(key, out var previous) ? previous.Attempts + 1 : 1;
                Failed[key] = new FailedItem { Error = record.Error ?? "", At = record.At, Attempts = attempts };
                if (run is not null)
                {
                    run.Failed++;
                }

                break;
            }

            case CheckpointRecordType.Invalidated:
                Completed.Remove(record.Key!);
                if (run is not null)
                {
                    run.Invalidated++;
                }

                break;
            case CheckpointRecordType.RunEnded:
                if (run is not null)
                {
                    run.EndedAt = record.At;
                    run.Status = record.Status ?? "completed";
                    run.Error = record.Error;
                    run.Skipped = record.Skipped ?? run.Skipped;
                }

                if (record.Status == RunRecord.InterruptedStatus)
                {
                    // Closes a dead run in the history only; the stage's status is the next run's to set.
                    break;
                }

                if (record.Status == "completed")
                {
                    Status = "completed";
                    CompletedAt = record.At;
                    Error = null;
                }
                else
                {
                    Status = "failed";
                    FailedAt = record.At;
                    Error = record.Error;
                }

                break;
            case CheckpointRecordType.Reset:
                Completed.Clear();
                Failed.Clear();
                TotalCostUsd = 0;
                Status = "in_progress";
                StartedAt = record.At;
                ResetAt = record.At;
                CompletedAt = null;
                FailedAt = null;
                Error = null;
                if (run is not null)
                {
                    run.Reset = true;
                }

                break;
        }

        CompletedCount = Completed.Count;
        UpdatedAt = record.At;
        if (record.Sequence != 0)
        {
            JournalSequence = record.Sequence;
        }
    }

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
}

/// <summary>A failed item in a <see cref="StageCheckpointDocument"/>.</summary>
public sealed record FailedItem
{
    /// <summary>The last error.</summary>
    [JsonPropertyName("error")] public string Error { get; init; } = "";

    /// <summary>When it last failed.</summary>
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }

    /// <summary>How many runs failed on it.</summary>
    [JsonPropertyName("attempts")] public int Attempts { get; init; }
}

/// <summary>One run of a stage in a <see cref="StageCheckpointDocument"/>.</summary>
public sealed record RunRecord
{
    /// <summary>The <see cref="Status"/> of a run that has not ended (or whose process died and was not yet seen).</summary>
    public const string InProgressStatus = "in_progress";

    /// <summary>
    /// The <see cref="Status"/> of a run whose process died before recording its end: set by the next open
    /// of the stage, with <see cref="EndedAt"/> the time of the run's last record.
    /// </summary>
    public const string InterruptedStatus = "interrupted";

    /// <summary>The run's number, from 1.</summary>
    [JsonPropertyName("run")] public int Run { get; set; }

    /// <summary>When it started.</summary>
    [JsonPropertyName("started_at")] public DateTimeOffset StartedAt { get; set; }

    /// <summary>When it ended; null while running or when the process died.</summary>
    [JsonPropertyName("ended_at")] public DateTimeOffset? EndedAt { get; set; }

    /// <summary><c>in_progress</c>, <c>completed</c>, <c>failed</c>, <c>cancelled</c> or <c>interrupted</c>.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = InProgressStatus;

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

    /// <summary>Completed items whose outputs it found missing or invalid.</summary>
    [JsonPropertyName("invalidated")] public int Invalidated { get; set; }

    /// <summary>What it paid for: the cost of the items it processed (not of those it adopted).</summary>
    [JsonPropertyName("cost_usd")] public decimal CostUsd { get; set; }

    /// <summary>The cost of the outputs it adopted, paid for by an earlier run that died before marking them.</summary>
    [JsonPropertyName("adopted_cost_usd")] public decimal AdoptedCostUsd { get; set; }

    /// <summary>Its error, when it failed.</summary>
    [JsonPropertyName("error")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; set; }
}
