using System.Text.Json.Serialization;

namespace Checkpointing.Store;

/// <summary>The kinds of <see cref="CheckpointRecord"/>.</summary>
public enum CheckpointRecordType
{
    /// <summary>A run of the stage started.</summary>
    RunStarted,

    /// <summary>An item's output was durably saved and the item is complete.</summary>
    Completed,

    /// <summary>The run gave an item up (its work failed, or its output could not be saved); it is retried on the next run.</summary>
    ItemFailed,

    /// <summary>A completed item's output was found missing or invalid; it is to be redone.</summary>
    Invalidated,

    /// <summary>A run ended (completed, failed or cancelled).</summary>
    RunEnded,

    /// <summary>An explicit fresh start cleared the stage's state (run history is kept).</summary>
    Reset,

    /// <summary>One attempt of an item's work failed; its cost is kept. A retry may follow.</summary>
    AttemptFailed,
}

/// <summary>
/// One change to a stage's checkpoint: a line of the journal (<c>&lt;stage&gt;.journal</c>), or a row of
/// another store. Applying the records in order to the snapshot gives the current state.
/// </summary>
public sealed record CheckpointRecord
{
    /// <summary>The record's sequence number, assigned by the store (1, 2, ...).</summary>
    [JsonPropertyName("seq")] public long Sequence { get; init; }

    /// <summary>What happened.</summary>
    [JsonPropertyName("type")] public required CheckpointRecordType Type { get; init; }

    /// <summary>When it happened (UTC).</summary>
    [JsonPropertyName("at")] public required DateTimeOffset At { get; init; }

    /// <summary>The item key, for item records.</summary>
    [JsonPropertyName("key")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Key { get; init; }

    /// <summary>
    /// The cost this record adds: for <see cref="CheckpointRecordType.Completed"/> the successful attempt's,
    /// for <see cref="CheckpointRecordType.AttemptFailed"/> the failed attempt's, for
    /// <see cref="CheckpointRecordType.ItemFailed"/> any cost no attempt record holds (e.g. work whose save failed).
    /// </summary>
    [JsonPropertyName("cost_usd")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public decimal? CostUsd { get; init; }

    /// <summary>The error of a failed item or run, or why an item was invalidated.</summary>
    [JsonPropertyName("error")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }

    /// <summary>The run's final status, for <see cref="CheckpointRecordType.RunEnded"/>.</summary>
    [JsonPropertyName("status")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] [JsonConverter(typeof(RunStatusJsonConverter))] public RunStatus? Status { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.RunStarted"/>: whether the run resumes.</summary>
    [JsonPropertyName("resume")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Resume { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.Completed"/>: true when the item was adopted from an output saved before a crash.</summary>
    [JsonPropertyName("adopted")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Adopted { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.RunStarted"/>: the number of distinct items the run was given, when known.</summary>
    [JsonPropertyName("items")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Items { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.RunEnded"/>: items skipped by the run.</summary>
    [JsonPropertyName("skipped")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Skipped { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.AttemptFailed"/> and <see cref="CheckpointRecordType.Completed"/>: the attempt's number in its run, from 1.</summary>
    [JsonPropertyName("attempt")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Attempt { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.RunEnded"/>: the estimated cost of the items the run left undone.</summary>
    [JsonPropertyName("estimated_cost_to_finish_usd")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public decimal? EstimatedCostToFinishUsd { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.RunStarted"/>: the complete keys the run processes again.</summary>
    [JsonPropertyName("redo_keys")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? RedoKeys { get; init; }

    /// <summary>For <see cref="CheckpointRecordType.RunStarted"/>: why those keys are redone.</summary>
    [JsonPropertyName("redo_reason")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RedoReason { get; init; }
}
