using Checkpointing.CrashTests.FileSystem;
using Checkpointing.IO;
using Checkpointing.Store;

namespace Checkpointing.CrashTests.Support;

/// <summary>
/// Recovers a crashed state and checks the invariants of issue 5 on it: open the stage (recovery), check
/// what it holds, open it again (recovery twice gives the same state), run the stage to completion and
/// compare with an uninterrupted reference run. Violations are counted in <see cref="Figures"/> with the
/// label (seed, crash point, model) that reproduces them.
/// </summary>
internal static class RecoveryVerifier
{
    /// <param name="state">The state the crash left.</param>
    /// <param name="confirmed">Keys whose marks returned before the crash.</param>
    /// <param name="items">The items of the workload.</param>
    /// <param name="figures">Where violations are counted.</param>
    /// <param name="label">Reproduces the state (seed, crash point, model).</param>
    /// <param name="freshStartAfter">
    /// Set when the crash came after a fresh start had begun its work: a time before that fresh start and
    /// after every output of the runs before it. Every output kept must then be newer: the reset must have
    /// been durable, and the work it asks for must really be redone.
    /// </param>
    public static async Task VerifyAsync(CrashState state, IEnumerable<string> confirmed, int items, Figures figures, string label, DateTimeOffset? freshStartAfter = null) =>
        await VerifyCoreAsync(state, confirmed, items, figures, label, freshStartAfter, snapshotLost: false);

    /// <summary>
    /// A crash state that needs the backup: the snapshot is lost as well (a bad sector, a careless hand), so
    /// recovery must take the previous snapshot, <c>.bak</c>, and still lose nothing confirmed.
    /// </summary>
    public static async Task VerifyWithLostSnapshotAsync(CrashState state, IEnumerable<string> confirmed, int items, Figures figures, string label)
    {
        var files = state.Files.ToDictionary(StringComparer.Ordinal);
        files[SnapshotPath] = "{ lost"u8.ToArray();
        await VerifyCoreAsync(state with { Files = files }, confirmed, items, figures, label + ", snapshot lost", freshStartAfter: null, snapshotLost: true);
    }

    private static string SnapshotPath => Workload.CheckpointDirectory + "/" + Workload.Stage + ".json";

    private static async Task VerifyCoreAsync(CrashState state, IEnumerable<string> confirmed, int items, Figures figures, string label, DateTimeOffset? freshStartAfter, bool snapshotLost)
    {
        var confirmedSet = confirmed.ToHashSet(StringComparer.Ordinal);
        var fs = CrashFileSystem.FromState(state);
        var journalPath = Workload.CheckpointDirectory + "/" + Workload.Stage + ".journal";

        // The backup is fsynced before it is renamed into place: whenever its name survives, so do its bytes.
        if (state.Files.TryGetValue(SnapshotPath + AtomicFile.BackupSuffix, out var backup))
        {
            try
            {
                CheckpointJson.DeserializeDocument(backup);
            }
            catch (FormatException e)
            {
                figures.Violated(Violation.UnreadableBackups, $"{label}: {SnapshotPath}{AtomicFile.BackupSuffix} holds {backup.Length} byte(s) that do not read: {e.Message}");
            }
        }

        StageCheckpointDocument first;
        try
        {
            await using var checkpoint = await StageCheckpoint.OpenAsync(Workload.CheckpointOptions(), fs, StepClock.Shared, CancellationToken.None);
            first = checkpoint.GetState();
            foreach (var report in checkpoint.RecoveryReports.Where(r => r.Contains("unreadable", StringComparison.Ordinal)))
            {
                if (!snapshotLost || !report.Contains("using its previous version", StringComparison.Ordinal))
                {
                    figures.Violated(snapshotLost ? Violation.UnreadableBackups : Violation.UnreadableCheckpoints, $"{label}: {report}");
                }
            }

            if (fs.TryRead(journalPath) is { } journal)
            {
                JournalFormat.ReadValidRecords(journal, out _, out var problem);
                if (problem is not null)
                {
                    figures.Violated(Violation.TornTailNotTruncated, $"{label}: after recovery the journal still has {problem}");
                }
            }

            foreach (var key in confirmedSet.Where(k => !first.Completed.ContainsKey(k)).Order(StringComparer.Ordinal))
            {
                // From the backup, items folded into the lost snapshot are proven by their outputs instead:
                // the next run adopts them (and must not redo them, checked below).
                if (snapshotLost && fs.TryRead(Workload.OutputDirectory + "/" + key + ".json") is { } proof && Workload.Inspect(key, proof).Problem is null)
                {
                    continue;
                }

                figures.Violated(Violation.ItemsLost, $"{label}: item {key} was confirmed durable before the crash but is not complete after recovery");
            }

            foreach (var key in first.Completed.Keys)
            {
                var output = fs.TryRead(Workload.OutputDirectory + "/" + key + ".json");
                var problem = output is null ? "its output is missing" : Workload.Inspect(key, output).Problem;
                if (problem is not null)
                {
                    figures.Violated(Violation.MarkedWithoutOutput, $"{label}: item {key} is marked complete but {problem}");
                }
            }

            if (freshStartAfter is { } after)
            {
                CheckNewerThanFreshStart(fs, first.Completed.Keys, after, figures, label + " after recovery");
            }

            CheckCost(first, figures, label + " after recovery");
            CheckNoTempFiles(fs, figures, label + " after recovery");
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            figures.Violated(Violation.UnreadableCheckpoints, $"{label}: recovery failed: {e.GetType().Name}: {e.Message}");
            return;
        }

        await using (var again = await StageCheckpoint.OpenAsync(Workload.CheckpointOptions(), fs, StepClock.Shared, CancellationToken.None))
        {
            var second = again.GetState();
            if (!SameCompletion(first, second))
            {
                figures.Violated(Violation.RecoveryNotIdempotent, $"{label}: the first recovery found {first.CompletedCount} item(s) and ${first.TotalCostUsd}, the second {second.CompletedCount} and ${second.TotalCostUsd}");
            }
        }

        var outcome = await Workload.RunAsync(fs, items);
        if (outcome.Error is not null)
        {
            figures.Violated(Violation.NoProgress, $"{label}: the run after recovery failed: {outcome.Error.Message}");
            return;
        }

        var redone = outcome.Result!.Processed;
        var notConfirmed = items - confirmedSet.Count;
        if (redone > notConfirmed)
        {
            figures.Violated(Violation.NoProgress, $"{label}: the run after recovery processed {redone} item(s) but only {notConfirmed} were not confirmed");
        }

        CompareWithReference(fs, items, figures, label);
        if (freshStartAfter is { } freshStart)
        {
            CheckNewerThanFreshStart(fs, Enumerable.Range(1, items).Select(Workload.KeyOf), freshStart, figures, label + " at the end");
        }
    }

    private static void CheckNewerThanFreshStart(CrashFileSystem fs, IEnumerable<string> keys, DateTimeOffset after, Figures figures, string label)
    {
        foreach (var key in keys)
        {
            if (fs.TryRead(Workload.OutputDirectory + "/" + key + ".json") is { } output
                && Workload.Inspect(key, output) is { Problem: null } check
                && !(check.SavedAt > after))
            {
                figures.Violated(Violation.OutputsBeforeFreshStart, $"{label}: item {key} is complete with an output saved at {check.SavedAt:O}, before the fresh start of {after:O}");
            }
        }
    }

    /// <summary>
    /// Compares a finished stage with the uninterrupted reference run. <c>redoneAfterInvalidation</c> is the
    /// cost of items whose outputs went bad after they completed and that were paid for again:
    /// <c>total_cost_usd</c> is what was spent since the last reset, so it includes them.
    /// </summary>
    public static void CompareWithReference(CrashFileSystem fs, int items, Figures figures, string label, decimal redoneAfterInvalidation = 0)
    {
        var reference = Reference.For(items);
        var state = new FileCheckpointStore(Workload.Root, fs, StepClock.Shared).ReadState(Workload.RunId, Workload.Stage);
        if (state is null || state.Status != StageStatus.Completed || state.CompletedCount != items)
        {
            figures.Violated(Violation.FinalDiffersFromReference, $"{label}: after the final run the stage is {state?.Status.ToString() ?? "missing"} with {state?.CompletedCount ?? 0} of {items} item(s)");
            return;
        }

        foreach (var (key, body) in reference.Outputs)
        {
            var output = fs.TryRead(Workload.OutputDirectory + "/" + key + ".json");
            if (output is not null && Workload.Inspect(key, output).Problem is { } problem)
            {
                figures.Violated(Violation.BadOutputsAccepted, $"{label}: item {key} is complete with an output that {problem}");
            }
            else if (output is null || Workload.Body(output) != body)
            {
                figures.Violated(Violation.FinalDiffersFromReference, $"{label}: output {key} differs from the reference run");
            }

            // Every attempt is paid for (the workload adds its cost before it can fail) and its cost is kept once (issue 11).
            var expected = Workload.CostOf(int.Parse(key, System.Globalization.CultureInfo.InvariantCulture));
            if (state.Completed.TryGetValue(key, out var item) && item.CostUsd != expected * (item.Attempts ?? 1))
            {
                figures.Violated(Violation.CostMismatches, $"{label}: item {key} cost ${item.CostUsd}, expected ${expected} per attempt x {item.Attempts ?? 1}");
            }
        }

        var paidForFailedAttempts = state.Completed.Sum(c => Workload.CostOf(int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture)) * ((c.Value.Attempts ?? 1) - 1));
        if (state.TotalCostUsd != reference.TotalCostUsd + redoneAfterInvalidation + paidForFailedAttempts)
        {
            figures.Violated(Violation.CostMismatches, $"{label}: total cost ${state.TotalCostUsd}, the reference run ${reference.TotalCostUsd} plus ${redoneAfterInvalidation} paid again and ${paidForFailedAttempts} for failed attempts");
        }

        CheckCost(state, figures, label + " at the end", redoneAfterInvalidation);
        CheckNoTempFiles(fs, figures, label + " at the end");
    }

    private static void CheckCost(StageCheckpointDocument state, Figures figures, string label, decimal redoneAfterInvalidation = 0)
    {
        // Cost of failed attempts or saves is in the failed items' records until they complete (issue 11).
        var sum = state.Completed.Values.Sum(c => c.CostUsd) + state.Failed.Values.Sum(f => f.CostUsd) + redoneAfterInvalidation;
        if (sum != state.TotalCostUsd)
        {
            figures.Violated(Violation.CostMismatches, $"{label}: total_cost_usd is ${state.TotalCostUsd} but the completed items cost ${sum}");
        }
    }

    private static void CheckNoTempFiles(CrashFileSystem fs, Figures figures, string label)
    {
        foreach (var path in FinalFiles.Unexpected(fs.AllFiles()))
        {
            figures.Violated(Violation.LeftoverTempFiles, $"{label}: {path}");
        }
    }

    private static bool SameCompletion(StageCheckpointDocument a, StageCheckpointDocument b) =>
        a.TotalCostUsd == b.TotalCostUsd
        && a.Completed.Count == b.Completed.Count
        && a.Completed.All(p => b.Completed.TryGetValue(p.Key, out var other) && other.CostUsd == p.Value.CostUsd);
}
