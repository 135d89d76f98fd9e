using Checkpointing.Cli.Json;
using Checkpointing.Store;

namespace Checkpointing.Cli.Inspection;

/// <summary>
/// Checks a stage's checkpoint (snapshot, backup, journal) and its outputs against it, reading both through
/// the runtime's own parsers: what the next run would drop, redo or adopt, and what is damaged.
/// </summary>
internal static class StageValidator
{
    public static CheckedEntry Validate(StageLocation location, Findings findings, CancellationToken cancellationToken)
    {
        var state = StageReader.Read(location);
        var snapshot = location.SnapshotPath;
        if (state.Document is not { } document)
        {
            var fallback = "the next run rebuilds the state from the outputs (run history is lost)";
            if (File.Exists(location.BackupPath))
            {
                try
                {
                    CheckpointJson.DeserializeDocument(File.ReadAllBytes(location.BackupPath));
                    fallback = $"the next run falls back to '{location.BackupPath}' and re-checks the outputs";
                }
                catch (FormatException e)
                {
                    findings.Add(Finding.Error(location.BackupPath, $"the backup snapshot is unreadable too: {e.Message}"));
                }
            }

            findings.Add(Finding.Error(snapshot, $"the snapshot is unreadable: {state.SnapshotProblem}; {fallback}"));
            CheckJournal(state, findings);
            return new CheckedEntry("stage", snapshot, $"stage {location.Stage} (run {location.RunId}): unreadable");
        }

        if (File.Exists(snapshot))
        {
            CheckSnapshotIdentity(location, snapshot, findings);
        }

        if (File.Exists(location.BackupPath))
        {
            try
            {
                CheckpointJson.DeserializeDocument(File.ReadAllBytes(location.BackupPath));
            }
            catch (FormatException e)
            {
                findings.Add(Finding.Warning(location.BackupPath, $"the backup snapshot is unreadable ({e.Message}); it is only used if the snapshot itself is lost"));
            }
        }

        CheckJournal(state, findings);
        CheckOutputs(state, document, findings, cancellationToken);
        CheckTempFiles(state, location.CheckpointDirectory, findings);
        if (state.Lock is { Alive: false } stale)
        {
            findings.Add(Finding.Info(location.LockInfoPath, $"left by {stale.Describe()}"));
        }

        foreach (var (key, failed) in document.Failed.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            findings.Add(Finding.Info(snapshot, $"item failed after {failed.Attempts} attempt(s) at {Format.Time(failed.At)}: {Format.OneLine(failed.Error)}; the next run retries it", key: key));
        }

        var entry = StatusBuilder.Build(state);
        return new CheckedEntry("stage", snapshot,
            $"stage {location.Stage} (run {location.RunId}): {entry.State}, {Format.Count(entry.Completed)} done, {Format.Count(entry.Failed)} failed, {Format.Money(entry.CostUsd)}");
    }

    private static void CheckSnapshotIdentity(StageLocation location, string snapshot, Findings findings)
    {
        // The raw snapshot, before the journal is applied: counts that disagree mean the file was edited.
        StageCheckpointDocument raw;
        try
        {
            raw = CheckpointJson.DeserializeDocument(File.ReadAllBytes(snapshot));
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            return;
        }

        if (raw.Stage != location.Stage || raw.RunId != location.RunId)
        {
            findings.Add(Finding.Error(snapshot, $"it names stage '{raw.Stage}' of run '{raw.RunId}', but its place is stage '{location.Stage}' of run '{location.RunId}' (copied or edited by hand?)"));
        }

        if (raw.CompletedCount != raw.Completed.Count)
        {
            findings.Add(Finding.Warning(snapshot, $"'completed_count' is {raw.CompletedCount} but 'completed' holds {raw.Completed.Count} item(s) (edited by hand?); the runtime counts the items"));
        }

        foreach (var key in raw.Completed.Keys.Concat(raw.Failed.Keys))
        {
            if (CheckpointKeys.GetProblem(key) is { } problem)
            {
                findings.Add(Finding.Error(snapshot, $"key '{key}' cannot name an output file: {problem} (edited by hand?)", key: key));
            }
        }
    }

    private static void CheckJournal(StageState state, Findings findings)
    {
        var journal = state.Journal;
        var path = state.Location.JournalPath;
        if (journal.Problem is not null)
        {
            if (journal.LinesAfterProblem > 0)
            {
                findings.Add(Finding.Error(path,
                    $"{journal.Problem}, and {journal.LinesAfterProblem} whole line(s) follow it: damage in the middle, not a torn tail. " +
                    "The next run keeps the records before it and drops the rest (their items are re-checked against their outputs)",
                    line: journal.ProblemLine));
            }
            else if (state.Running)
            {
                findings.Add(Finding.Info(path, "the last record is being written by the running stage", line: journal.ProblemLine));
            }
            else
            {
                findings.Add(Finding.Warning(path,
                    $"{journal.Problem}: a record torn by a crash ({journal.Length - journal.ValidLength} byte(s)); the next run drops it and re-checks the item against its output",
                    line: journal.ProblemLine));
            }
        }

        long previous = 0;
        for (var i = 0; i < journal.Records.Count; i++)
        {
            var sequence = journal.Records[i].Sequence;
            if (sequence <= previous)
            {
                findings.Add(Finding.Error(path, $"record 'seq' {sequence} does not follow {previous} (records were reordered or edited by hand); the runtime skips it", line: i + 1));
            }

            previous = Math.Max(previous, sequence);
            if (journal.Records[i].Key is { } key && CheckpointKeys.GetProblem(key) is { } problem)
            {
                findings.Add(Finding.Error(path, $"key '{key}' cannot name an output file: {problem}", line: i + 1, key: key));
            }
        }
    }

    private static void CheckOutputs(StageState state, StageCheckpointDocument document, Findings findings, CancellationToken cancellationToken)
    {
        var directory = state.Location.OutputPath(document.OutputDirectory);
        if (CheckpointKeys.GetProblem(document.OutputDirectory is { Length: > 0 } o ? o : state.Location.Stage) is { } bad)
        {
            findings.Add(Finding.Error(state.Location.SnapshotPath, $"'output_dir' \"{document.OutputDirectory}\" is not a folder name: {bad}"));
            return;
        }

        var present = Directory.Exists(directory)
            ? new HashSet<string>(Directory.EnumerateFiles(directory, "*.json").Select(Path.GetFileName).OfType<string>(), StringComparer.Ordinal)
            : [];
        foreach (var (key, item) in document.Completed.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (CheckpointKeys.GetProblem(key) is not null)
            {
                continue;
            }

            var path = Path.Combine(directory, key + ".json");
            if (!present.Contains(key + ".json"))
            {
                findings.Add(Finding.Error(path, "the item is complete but its output is missing; the next run redoes it", key: key));
                continue;
            }

            var output = ReadOutput(path, key);
            if (output.Problem is { } problem)
            {
                findings.Add(Finding.Error(path, $"the item is complete but its output {problem}; the next run redoes it", key: key));
            }
            else if (item.Adopted != true && output.CostUsd != item.CostUsd)
            {
                findings.Add(Finding.Warning(path, $"the output says it cost {output.CostUsd} but the checkpoint recorded {item.CostUsd}", key: key));
            }
        }

        var unmarked = 0;
        var stale = 0;
        foreach (var name in present.Order(StringComparer.Ordinal))
        {
            var key = name[..^".json".Length];
            if (document.Completed.ContainsKey(key) || CheckpointKeys.GetProblem(key) is not null)
            {
                continue;
            }

            var path = Path.Combine(directory, name);
            var output = ReadOutput(path, key);
            if (output.Problem is { } problem)
            {
                findings.Add(Finding.Warning(path, $"an output of an item that is not complete {problem}; the next run processes the item again", key: key));
            }
            else if (document.ResetAt is { } resetAt && !(output.SavedAt >= resetAt))
            {
                stale++;
            }
            else
            {
                unmarked++;
            }
        }

        if (unmarked > 0)
        {
            findings.Add(Finding.Info(directory, $"{unmarked} valid output(s) were saved but not marked complete (an interrupted run); the next run adopts them with their cost"));
        }

        if (stale > 0)
        {
            findings.Add(Finding.Info(directory, $"{stale} output(s) predate the reset of {Format.Time(document.ResetAt)}; the next run replaces them"));
        }

        CheckTempFiles(state, directory, findings);
    }

    private static void CheckTempFiles(StageState state, string directory, Findings findings)
    {
        if (!Directory.Exists(directory) || state.Running)
        {
            return;
        }

        foreach (var temp in Directory.EnumerateFiles(directory, ".*.ckpt.tmp"))
        {
            findings.Add(Finding.Warning(temp, "a temp file left by an interrupted write; the next run of the stage (or 'checkpoint clean') removes it"));
        }
    }

    /// <summary>Reads an output file through the runtime's reader: why it is not acceptable (or null), its cost and save time.</summary>
    public static (string? Problem, decimal CostUsd, DateTimeOffset? SavedAt) ReadOutput(string path, string key)
    {
        try
        {
            var output = StageOutputFile.Deserialize(File.ReadAllBytes(path), CliJsonContext.Default.JsonElement);
            return (output.Key == key ? null : $"belongs to item '{output.Key}'", output.CostUsd, output.SavedAt);
        }
        catch (FormatException e)
        {
            return ("is unreadable: " + e.Message, 0, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ("cannot be read: " + e.Message, 0, null);
        }
    }
}
