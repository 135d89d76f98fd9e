namespace Checkpointing.Store;

/// <summary>
/// Applies journal records to a stage's state: the one place that says what each record means. The state it
/// changes, <see cref="StageCheckpointDocument"/>, is only the serialized shape (docs/checkpoint-format.md).
/// Not thread-safe: the journal applies records under its own lock and hands out clones.
/// </summary>
internal static class StageCheckpointReducer
{
    /// <summary>Applies one record (idempotent for records at or below <see cref="StageCheckpointDocument.JournalSequence"/>).</summary>
    public static void Apply(this StageCheckpointDocument state, CheckpointRecord record)
    {
        if (record.Sequence != 0 && record.Sequence <= state.JournalSequence)
        {
            return;
        }

        var run = state.Runs.Count > 0 ? state.Runs[^1] : null;
        switch (record.Type)
        {
            case CheckpointRecordType.RunStarted:
                RunStarted(state, record);
                break;
            case CheckpointRecordType.Completed:
                Completed(state, run, record);
                break;
            case CheckpointRecordType.AttemptFailed:
                AttemptFailed(state, run, record);
                break;
            case CheckpointRecordType.ItemFailed:
                ItemFailed(state, run, record);
                break;
            case CheckpointRecordType.Invalidated:
                state.Completed.Remove(record.Key!);
                if (run is not null)
                {
                    run.Invalidated++;
                }

                break;
            case CheckpointRecordType.RunEnded:
                RunEnded(state, run, record);
                break;
            case CheckpointRecordType.Reset:
                Reset(state, run, record);
                break;
        }

        state.CompletedCount = state.Completed.Count;
        state.UpdatedAt = record.At;
        if (record.Sequence != 0)
        {
            state.JournalSequence = record.Sequence;
        }
    }

    private static void RunStarted(StageCheckpointDocument state, CheckpointRecord record)
    {
        state.Runs.Add(new RunRecord
        {
            Run = state.Runs.Count + 1,
            StartedAt = record.At,
            Resume = record.Resume ?? true,
            Items = record.Items,
            Status = RunStatus.InProgress,
            Redo = record.RedoKeys is { Count: > 0 } redo ? [.. redo] : null,
            RedoReason = record.RedoReason,
        });
        state.Status = StageStatus.InProgress;
        state.StartedAt ??= record.At;
        state.Error = null;
    }

    private static void Completed(StageCheckpointDocument state, RunRecord? run, CheckpointRecord record)
    {
        var key = record.Key!;
        var cost = record.CostUsd ?? 0m;
        var adopted = record.Adopted == true;

        // The cost of earlier failed attempts is already in the totals; the item's record shows all of it.
        state.Failed.Remove(key, out var failedBefore);
        var attempts = (failedBefore?.Attempts ?? 0) + 1;
        state.Completed[key] = new CompletedItem
        {
            CostUsd = cost + (failedBefore?.CostUsd ?? 0m),
            At = record.At,
            Adopted = adopted ? true : null,
            Attempts = attempts > 1 ? attempts : null,
        };
        AddCost(state, run, cost, adopted);
        if (run is null)
        {
            return;
        }

        if (adopted)
        {
            run.Adopted++;
        }
        else
        {
            run.Processed++;
        }
    }

    private static void AttemptFailed(StageCheckpointDocument state, RunRecord? run, CheckpointRecord record)
    {
        RecordFailure(state, run, record, previousAttempts => (previousAttempts ?? 0) + 1);
        if (run is not null)
        {
            run.FailedAttempts++;
        }
    }

    /// <summary>
    /// The run gives the item up. Its failed attempts were counted by their own records; a record without any
    /// before it (a failed save, or a journal of an earlier version) counts as one.
    /// </summary>
    private static void ItemFailed(StageCheckpointDocument state, RunRecord? run, CheckpointRecord record)
    {
        RecordFailure(state, run, record, previousAttempts => previousAttempts ?? 1);
        if (run is not null)
        {
            run.Failed++;
        }
    }

    /// <summary>The item's failure entry: this record's error and time, its cost added to the item's and the run's.</summary>
    private static void RecordFailure(StageCheckpointDocument state, RunRecord? run, CheckpointRecord record, Func<int?, int> attempts)
    {
        var key = record.Key!;
        var cost = record.CostUsd ?? 0m;
        state.Failed.TryGetValue(key, out var previous);
        state.Failed[key] = new FailedItem
        {
            Error = record.Error ?? "",
            At = record.At,
            Attempts = attempts(previous?.Attempts),
            CostUsd = (previous?.CostUsd ?? 0m) + cost,
        };
        AddCost(state, run, cost);
    }

    private static void RunEnded(StageCheckpointDocument state, RunRecord? run, CheckpointRecord record)
    {
        if (run is not null)
        {
            run.EndedAt = record.At;
            run.Status = record.Status ?? RunStatus.Completed;
            run.Error = record.Error;
            run.Skipped = record.Skipped ?? run.Skipped;
            run.EstimatedCostToFinishUsd = record.EstimatedCostToFinishUsd;
        }

        if (record.Status == RunStatus.Interrupted)
        {
            // Closes a dead run in the history only; the stage's status is the next run's to set.
            return;
        }

        state.Status = StatusNames.StageStatusAfter(record.Status ?? RunStatus.Completed);
        state.EstimatedCostToFinishUsd = record.EstimatedCostToFinishUsd;
        if (state.Status == StageStatus.Failed)
        {
            state.FailedAt = record.At;
            state.Error = record.Error;
            return;
        }

        // A failure that a later run got past is no longer the stage's state (the run history keeps it).
        state.FailedAt = null;
        state.Error = null;
        if (state.Status == StageStatus.Completed)
        {
            state.CompletedAt = record.At;
        }
    }

    private static void Reset(StageCheckpointDocument state, RunRecord? run, CheckpointRecord record)
    {
        state.Completed.Clear();
        state.Failed.Clear();
        state.TotalCostUsd = 0;
        state.EstimatedCostToFinishUsd = null;
        state.Status = StageStatus.InProgress;
        state.StartedAt = record.At;
        state.ResetAt = record.At;
        state.CompletedAt = null;
        state.FailedAt = null;
        state.Error = null;
        if (run is not null)
        {
            run.Reset = true;
        }
    }

    private static void AddCost(StageCheckpointDocument state, RunRecord? run, decimal cost, bool adopted = false)
    {
        state.TotalCostUsd += cost;
        state.LifetimeCostUsd += cost;
        if (run is null)
        {
            return;
        }

        // A run's cost is what it paid for; an adopted output was paid for by the run that died.
        if (adopted)
        {
            run.AdoptedCostUsd += cost;
        }
        else
        {
            run.CostUsd += cost;
        }
    }
}
