using Checkpointing.Cli.Json;
using Checkpointing.IO;
using Checkpointing.Store;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Changes a stage's checkpoint through the runtime's own store, under the stage's lock (refused while a run
/// holds it), with records the runtime already knows: redo appends <c>invalidated</c> records, reset a
/// <c>reset</c> record. Neither removes cost from the history: the cost of redone items stays in
/// <c>total_cost_usd</c>, and a reset keeps <c>lifetime_cost_usd</c> and every run.
/// </summary>
internal static class StageEditor
{
    /// <summary>Finds the stage and reads it without its lock; usage errors name what is missing.</summary>
    public static StageState Locate(string root, string runId, string stage)
    {
        if (CheckpointKeys.GetProblem(stage) is { } problem)
        {
            throw new UsageException($"Stage name '{stage}' is not a file name: {problem}.");
        }

        var location = new StageLocation(root, runId, stage);
        if (!File.Exists(location.SnapshotPath) && !File.Exists(location.JournalPath))
        {
            var stages = StageLocation.InRun(root, runId).Select(s => s.Stage).ToList();
            throw new UsageException($"Stage '{stage}' has no checkpoint in run '{runId}' ('{location.SnapshotPath}' does not exist)"
                + (stages.Count > 0 ? $"; its stages are: {string.Join(", ", stages)}." : "."));
        }

        var state = StageReader.Read(location);
        if (state.Document is null)
        {
            throw new CommandFailedException($"Checkpoint '{location.SnapshotPath}' is unreadable ({state.SnapshotProblem}); nothing was changed. Run 'checkpoint validate' on it, then repair or restore it.");
        }

        return state;
    }

    /// <summary>Checks that every key is a completed item; throws a usage error naming the first that is not.</summary>
    public static void CheckKeys(StageCheckpointDocument document, IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            if (!document.Completed.ContainsKey(key))
            {
                var hint = document.Failed.ContainsKey(key) ? " (it failed: the next run retries it anyway)" : "";
                throw new UsageException($"Item '{key}' is not a completed item of stage '{document.Stage}'{hint}; nothing was changed.");
            }
        }
    }

    public static async Task<ChangeReport> RedoAsync(StageLocation location, IReadOnlyList<string> keys, string? reason, TextWriter log, CancellationToken cancellationToken)
    {
        var journal = await OpenAsync(location, log, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            var state = journal.GetState();
            CheckKeys(state, keys);
            var outputs = location.OutputPath(state.OutputDirectory);
            var now = DateTimeOffset.UtcNow;
            var moved = new List<MovedOutput>();
            decimal discarded = 0;
            foreach (var key in keys)
            {
                discarded += state.Completed[key].CostUsd;
                var output = StageOutputFile.GetPath(outputs, key);
                if (File.Exists(output))
                {
                    // Set aside before the mark is dropped: a crash in between leaves a complete item without
                    // its output, which the next run redoes; the other order would let it adopt the old output.
                    var aside = Path.Combine(outputs, FileInventory.RedoBackupName(key, now));
                    File.Move(output, aside);
                    moved.Add(new MovedOutput(key, output, aside));
                }
            }

            if (moved.Count > 0)
            {
                PhysicalFileSystem.Instance.FsyncDirectory(outputs);
            }

            var error = "redo requested with 'checkpoint redo'" + (string.IsNullOrWhiteSpace(reason) ? "" : ": " + reason.Trim());
            foreach (var key in keys)
            {
                await journal.AppendAsync(
                    new CheckpointRecord { Type = CheckpointRecordType.Invalidated, At = now, Key = key, Error = error },
                    AppendDurability.Deferred, cancellationToken).ConfigureAwait(false);
            }

            await journal.FlushAsync(cancellationToken).ConfigureAwait(false);
            var after = journal.GetState();
            return new ChangeReport("redo", location.Root, location.RunId, location.Stage, true, keys, reason, keys.Count, discarded, after.TotalCostUsd, after.LifetimeCostUsd, moved);
        }
    }

    public static async Task<ChangeReport> ResetAsync(StageLocation location, TextWriter log, CancellationToken cancellationToken)
    {
        var journal = await OpenAsync(location, log, cancellationToken).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            var before = journal.GetState();
            await journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.Reset, At = DateTimeOffset.UtcNow }, AppendDurability.Immediate, cancellationToken).ConfigureAwait(false);
            var after = journal.GetState();
            return new ChangeReport("reset", location.Root, location.RunId, location.Stage, true, [], null, before.CompletedCount, before.TotalCostUsd, after.TotalCostUsd, after.LifetimeCostUsd, []);
        }
    }

    private static async Task<ICheckpointJournal> OpenAsync(StageLocation location, TextWriter log, CancellationToken cancellationToken)
    {
        var read = StageReader.Read(location).Document;
        var request = new CheckpointOpenRequest
        {
            RunId = location.RunId,
            StageName = location.Stage,
            OutputDirectory = string.IsNullOrEmpty(read?.OutputDirectory) ? location.Stage : read!.OutputDirectory,

            // Never fall back to the backup or the outputs here: that would overwrite a damaged checkpoint
            // (and its history) with a rebuilt one when this tool closes it.
            Strict = true,
        };
        ICheckpointJournal journal;
        try
        {
            journal = await new FileCheckpointStore(location.Root).OpenAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (CheckpointLockedException e)
        {
            throw new CommandFailedException($"Refused: {e.Message} Nothing was changed.");
        }
        catch (CheckpointCorruptException e)
        {
            throw new CommandFailedException($"{e.Message}. Nothing was changed.");
        }

        foreach (var report in journal.RecoveryReports)
        {
            await log.WriteLineAsync("checkpoint: recovered: " + report).ConfigureAwait(false);
        }

        return journal;
    }
}
