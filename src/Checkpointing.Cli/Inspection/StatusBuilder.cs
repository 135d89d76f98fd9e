using Checkpointing.Cli.Json;
using Checkpointing.Store;

namespace Checkpointing.Cli.Inspection;

/// <summary>Turns what <see cref="StageReader"/> read into the status of a stage.</summary>
internal static class StatusBuilder
{
    /// <summary>Failed items listed per stage; the count is always complete.</summary>
    public const int MaxFailedItems = 20;

    /// <summary>The states that make <c>status</c> exit with 1.</summary>
    public static bool IsProblem(StageEntry entry) => entry.State is "failed" or "interrupted" or "unreadable";

    /// <summary>Whether the report has anything that makes <c>status</c> exit with 1.</summary>
    public static bool HasProblems(StatusReport report) =>
        report.Stages.Any(IsProblem) || report.Batches.Any(b => b.Problem is not null || b.Status == "failed") || report.Phases.Any(p => p.Problem is not null);

    /// <summary>Reads every stage under <paramref name="root"/> (or of one run).</summary>
    public static StatusReport Read(string root, string? runId, DateTimeOffset now)
    {
        var runs = runId is null ? StageLocation.Runs(root) : [runId];
        var stages = new List<StageEntry>();
        foreach (var run in runs)
        {
            foreach (var location in StageLocation.InRun(root, run))
            {
                try
                {
                    stages.Add(Build(StageReader.Read(location)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // One stage whose files cannot be read does not hide the others.
                    stages.Add(Build(new StageState(location, null, $"cannot be read ({e.Message})", JournalScan.None, null)));
                }
            }
        }

        var batches = new List<BatchEntry>();
        foreach (var run in runs)
        {
            var checkpoints = Path.Combine(root, run, StageLocation.CheckpointsFolder);
            if (!Directory.Exists(checkpoints))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(checkpoints, "*" + BatchCheckpoints.Suffix).Order(StringComparer.Ordinal))
            {
                var batch = BatchCheckpoints.Read(file);
                var problem = batch.Problem is { } p ? $"Batch checkpoint '{file}': {p}" : BatchCheckpoints.CheckSharedFile(batch, Path.Combine(root, run));
                batches.Add(new BatchEntry(run, batch.Name, batch.Status, batch.File, batch.Batch, batch.Rows, batch.CompletedCount, batch.Failed, batch.TotalCostUsd, batch.UpdatedAt, batch.Error, problem));
            }
        }

        // Phases live in <root>/<phase>/ (their root is often "checkpoints"); only the root and its folders are looked at.
        var phases = runId is null ? PhaseSnapshots.Folders(root, depth: 1).Select(ReadPhase).ToList() : [];
        return new StatusReport(root, now, stages, batches, phases);
    }

    /// <summary>Reads every stage of a PostgreSQL store (or of one run); <paramref name="root"/> is only reported.</summary>
    public static Task<StatusReport> ReadAsync(StoreInspection store, string root, string? runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.GuardAsync(async () =>
        {
            var stages = new List<StageEntry>();
            foreach (var run in await store.RunsAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                foreach (var stage in await store.StagesAsync(run, cancellationToken).ConfigureAwait(false))
                {
                    stages.Add(Build(await store.ReadAsync(root, run, stage, cancellationToken).ConfigureAwait(false)));
                }
            }

            return new StatusReport(root, now, stages, [], []);
        });

    public static StageEntry Build(StageState state)
    {
        var location = state.Location;
        var holder = state.Lock is { } h ? ToEntry(h) : null;
        var workers = state.Workers.Select(ToEntry).ToList();
        var document = state.Document;
        if (document is null)
        {
            var backup = File.Exists(location.BackupPath) ? $"; the next run falls back to '{location.BackupPath}'" : "; the next run rebuilds it from the outputs";
            return new StageEntry(
                location.RunId, location.Stage, "unreadable", null, state.Running, null, null, 0, 0, null, 0, 0, 0, null,
                null, null, null, null, null, null, [], holder, workers, 0, null,
                $"Checkpoint '{location.SnapshotPath}' is unreadable: {state.SnapshotProblem}{backup}");
        }

        var lastRun = document.Runs.Count > 0 ? document.Runs[^1] : null;
        var items = document.Runs.LastOrDefault(r => r.Items is not null)?.Items;
        int? remaining = items is null ? null : Math.Max(0, items.Value - document.CompletedCount);
        var average = document.AverageItemCostUsd;
        // Without a completed item there is no average to estimate from.
        decimal? toFinish = remaining is null ? null : remaining == 0 ? 0m : document.Completed.Count == 0 ? null : average * remaining.Value;
        var status = StatusNames.Of(document.Status);
        var state_ = state.Running ? "running"
            : document.Status == StageStatus.InProgress && document.ResetAt is not null && document.ResetAt == document.UpdatedAt && lastRun?.EndedAt is not null ? "reset"
            : document.Status == StageStatus.InProgress ? "interrupted"
            : status;

        string? problem = null;
        var journal = state.Journal;
        if (journal.Problem is not null && journal.LinesAfterProblem > 0)
        {
            problem = $"Journal '{location.JournalPath}' is damaged at line {journal.ProblemLine} ({journal.Problem}); {journal.LinesAfterProblem} later line(s) are ignored";
        }
        else if (journal.Problem is not null && !state.Running)
        {
            problem = $"Journal '{location.JournalPath}' ends with a torn record ({journal.Length - journal.ValidLength} byte(s) at line {journal.ProblemLine}); the next run drops it";
        }

        var failedItems = document.Failed
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Take(MaxFailedItems)
            .Select(f => new FailedItemEntry(f.Key, f.Value.Error, f.Value.Attempts, f.Value.At))
            .ToList();
        return new StageEntry(
            location.RunId, location.Stage, state_, status, state.Running, document.OutputDirectory,
            items, document.CompletedCount, document.Failed.Count, remaining,
            document.TotalCostUsd, document.LifetimeCostUsd, decimal.Round(average, 6), toFinish is null ? null : decimal.Round(toFinish.Value, 4),
            document.StartedAt, document.UpdatedAt, document.CompletedAt, document.FailedAt, document.ResetAt,
            document.Error, failedItems, holder, workers, document.Runs.Count, lastRun is null ? null : ToEntry(lastRun), problem);
    }

    public static PhaseEntry ReadPhase(string folder)
    {
        var snapshots = PhaseSnapshots.InFolder(folder);
        var latest = snapshots.FirstOrDefault(s => s.Valid);
        var holder = LockHolder.Read(Path.Combine(folder, "phase.lock.json"));
        string? problem = latest is null
            ? $"Phase '{folder}' has no valid snapshot: {snapshots[0].Problem}"
            : snapshots[0] != latest ? $"Its newest snapshot '{snapshots[0].Path}' is invalid ({snapshots[0].Problem}); the next run resumes from sequence {latest.Sequence}" : null;
        return new PhaseEntry(
            Path.GetFileName(folder), folder, snapshots.Count, snapshots.Count(s => s.Valid), latest?.Sequence, latest?.Iteration, latest?.Timestamp,
            latest?.Complete == true, holder?.Running == true, holder is null ? null : ToEntry(holder), problem);
    }

    private static LockEntry ToEntry(LockHolder holder) => new(holder.ProcessId, holder.Host, holder.Since, holder.Alive);

    public static RunEntry ToEntry(RunRecord run) =>
        new(run.Run, StatusNames.Of(run.Status), run.StartedAt, run.EndedAt, run.Resume, run.Items, run.Processed, run.Adopted, run.Skipped, run.Failed, run.Invalidated, run.CostUsd, run.Error);
}
