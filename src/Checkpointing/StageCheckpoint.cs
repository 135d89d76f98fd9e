using System.Collections.Concurrent;
using System.Globalization;
using Checkpointing.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Checkpointing.Store;

namespace Checkpointing;

/// <summary>What an inspection of an output file found.</summary>
/// <param name="Problem">Why the output is not acceptable, or null when it is.</param>
/// <param name="CostUsd">The cost saved with the output.</param>
/// <param name="SavedAt">When the output was saved, when known.</param>
internal readonly record struct OutputCheck(string? Problem, decimal CostUsd, DateTimeOffset? SavedAt = null)
{
    /// <summary>An acceptable output that cost <paramref name="costUsd"/>.</summary>
    public static OutputCheck Valid(decimal costUsd, DateTimeOffset? savedAt = null) => new(null, costUsd, savedAt);

    /// <summary>An output that is not acceptable.</summary>
    public static OutputCheck Invalid(string problem) => new(problem, 0);
}

/// <summary>Options of <see cref="StageCheckpoint.OpenAsync(StageCheckpointOptions, CancellationToken)"/>.</summary>
public sealed class StageCheckpointOptions
{
    /// <summary>The storage root (default <c>data</c>).</summary>
    public string Root { get; init; } = "data";

    /// <summary>The run id.</summary>
    public required string RunId { get; init; }

    /// <summary>The stage name.</summary>
    public required string StageName { get; init; }

    /// <summary>The outputs' folder under the run folder; defaults to the stage name.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>When marks become durable.</summary>
    public CommitPolicy CommitPolicy { get; init; } = CommitPolicy.EveryItem;

    /// <summary>Fail on an unreadable snapshot instead of falling back to the outputs.</summary>
    public bool StrictCheckpoint { get; init; }

    /// <summary>
    /// Parses and validates an output file's bytes (resume and adoption use it). Without one, an output
    /// counts when it is a readable output file, whatever its content.
    /// </summary>
    internal Func<string, byte[], OutputCheck>? InspectOutput { get; init; }

    /// <summary>
    /// Called with the key and bytes of a valid output that was saved but never marked complete, before it is
    /// adopted as complete: the interruption may have cut off a step that runs between save and mark (such as
    /// <see cref="StageDefinition{TItem, TOutput}.OnOutputSavedAsync"/>), which this redoes. If it throws, the item
    /// is not adopted but processed again.
    /// </summary>
    internal Func<string, byte[], CancellationToken, ValueTask>? BeforeAdoptAsync { get; init; }

    /// <summary>Where checkpoints are kept; defaults to a <see cref="FileCheckpointStore"/> under <see cref="Root"/>.</summary>
    public ICheckpointStore? Store { get; init; }

    /// <summary>Receives resume and recovery messages.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>What the stage processes (see <see cref="CheckpointOpenRequest.ItemType"/>); optional.</summary>
    public string? ItemType { get; init; }
}

/// <summary>
/// An open, locked stage: its checkpoint plus its outputs, with the rules that keep them consistent:
/// outputs are the source of truth on resume, an item is marked only after its output is durably saved,
/// cost accumulates across runs. <see cref="StageRunner"/> drives one; it can also be used by hand.
/// </summary>
public sealed class StageCheckpoint : IAsyncDisposable
{
    /// <summary>Invalid outputs warned about one by one on resume; the rest are counted in one line.</summary>
    private const int DetailedWarnings = 10;

    private readonly ICheckpointJournal _journal;
    private readonly IFileSystem _fs;
    private readonly TimeProvider _time;
    private readonly StageCheckpointOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _savedNotMarked = new(StringComparer.Ordinal);
    private readonly DirectorySync _outputDirectorySync;
    private bool _freshStart;

    private StageCheckpoint(ICheckpointJournal journal, IFileSystem fs, TimeProvider time, StageCheckpointOptions options, string outputDirectoryPath)
    {
        _journal = journal;
        _fs = fs;
        _time = time;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        OutputDirectoryPath = outputDirectoryPath;
        _outputDirectorySync = new DirectorySync(fs, outputDirectoryPath);
    }

    /// <summary>The stage name.</summary>
    public string StageName => _options.StageName;

    /// <summary>The run id.</summary>
    public string RunId => _options.RunId;

    /// <summary>The full path of the outputs' folder.</summary>
    public string OutputDirectoryPath { get; }

    /// <summary>What recovery found when the checkpoint was opened.</summary>
    public IReadOnlyList<string> RecoveryReports => _journal.RecoveryReports;

    /// <summary>
    /// Opens the stage: takes its lock (or throws <see cref="CheckpointLockedException"/>), removes orphaned
    /// temp files, and recovers its state (a torn journal tail is dropped and reported).
    /// </summary>
    public static Task<StageCheckpoint> OpenAsync(StageCheckpointOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, PhysicalFileSystem.Instance, TimeProvider.System, cancellationToken);

    internal static async Task<StageCheckpoint> OpenAsync(StageCheckpointOptions options, IFileSystem fs, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var outputDirectory = string.IsNullOrEmpty(options.OutputDirectory) ? options.StageName : options.OutputDirectory!;
        StageNames.ThrowIfInvalid(options.StageName, options.RunId);
        if (CheckpointKeys.GetProblem(outputDirectory) is { } problem)
        {
            throw new ArgumentException($"Output directory \"{outputDirectory}\" cannot be used as a folder name: {problem}.", nameof(options));
        }

        var store = options.Store ?? new FileCheckpointStore(options.Root, fs, time);
        var journal = await store.OpenAsync(
            new CheckpointOpenRequest
            {
                RunId = options.RunId,
                StageName = options.StageName,
                OutputDirectory = outputDirectory,
                CommitPolicy = options.CommitPolicy,
                Strict = options.StrictCheckpoint,
                ItemType = options.ItemType,
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            var outputPath = Path.Combine(Path.GetFullPath(options.Root), options.RunId, outputDirectory);
            fs.CreateDirectory(outputPath);
            // On a shared store other workers are writing in the same folder right now: their temp files are
            // not orphans, so they are left alone (a killed worker's orphan is harmless and never read).
            var removed = journal is IClaimingCheckpointJournal ? 0 : AtomicFile.CleanupTempFiles(fs, outputPath);
            var checkpoint = new StageCheckpoint(journal, fs, time, options, outputPath);
            foreach (var report in journal.RecoveryReports)
            {
                checkpoint._logger.LogWarning("Stage {Stage}: {Report}", options.StageName, report);
            }

            if (removed > 0)
            {
                checkpoint._logger.LogInformation("Stage {Stage}: removed {Count} temp file(s) left by an interrupted run", options.StageName, removed);
            }

            await checkpoint.CloseInterruptedRunAsync(cancellationToken).ConfigureAwait(false);
            return checkpoint;
        }
        catch
        {
            await journal.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Holding the lock proves that no process is running the stage: a run still in progress in the history
    /// was killed (or lost power, or could not write its end), so it is closed as interrupted at the time
    /// of its last record. Deferred: the next flush makes it durable, and if it is lost this runs again.
    /// </summary>
    private async Task CloseInterruptedRunAsync(CancellationToken cancellationToken)
    {
        if (Claiming is not null)
        {
            // Other workers may be running the stage right now: a shared store closes the runs whose
            // worker stopped renewing its heartbeat itself.
            return;
        }

        var state = _journal.GetState();
        if (state.Runs is not [.., { EndedAt: null } run] || run.Status != RunStatus.InProgress)
        {
            return;
        }

        var lastRecordAt = state.UpdatedAt is { } updated && updated >= run.StartedAt ? updated : run.StartedAt;
        await _journal.AppendAsync(
            new CheckpointRecord
            {
                Type = CheckpointRecordType.RunEnded,
                At = lastRecordAt,
                Status = RunStatus.Interrupted,
                Error = "The run ended without recording its end (the process was killed, lost power or could not write).",
            },
            AppendDurability.Deferred, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation(
            "Stage {Stage}: run {Run}, started {StartedAt:u}, never recorded its end; closed as interrupted at its last record, {At:u}",
            StageName, run.Run, run.StartedAt, lastRecordAt);
    }

    /// <summary>The journal's claims, when the store is shared by several workers (see <see cref="IClaimingCheckpointJournal"/>).</summary>
    internal IClaimingCheckpointJournal? Claiming => _journal as IClaimingCheckpointJournal;

    /// <summary>A copy of the current checkpoint state.</summary>
    public StageCheckpointDocument GetState() => _journal.GetState();

    /// <summary>True when <paramref name="key"/> is marked complete.</summary>
    public bool IsCompleted(string key) => _journal.IsCompleted(key);

    /// <summary>The output file of <paramref name="key"/>; throws <see cref="ArgumentException"/> for a key that is not a safe file name.</summary>
    public string GetOutputPath(string key) => StageOutputFile.GetPath(OutputDirectoryPath, key);

    /// <summary>
    /// Starts a run. With <paramref name="resume"/> false, explicitly resets the stage's state (logged):
    /// completed and failed items are forgotten and the cost restarts at 0; the run history is kept.
    /// </summary>
    public Task BeginRunAsync(bool resume, CancellationToken cancellationToken = default) =>
        BeginRunCoreAsync(resume, null, null, null, cancellationToken);

    /// <summary>
    /// Starts a run of <paramref name="itemCount"/> distinct items, recorded with the run so that monitors
    /// can tell how many remain and estimate the cost to finish. Otherwise as <see cref="BeginRunAsync(bool, CancellationToken)"/>.
    /// </summary>
    public Task BeginRunAsync(bool resume, int itemCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        return BeginRunCoreAsync(resume, itemCount, null, null, cancellationToken);
    }

    /// <summary>
    /// Starts a run as <see cref="BeginRunAsync(bool, CancellationToken)"/> does, recording in the run history
    /// the complete keys it will process again and why (<see cref="StageRunOptions.RedoKeys"/>).
    /// </summary>
    /// <param name="resume">False: reset the stage's state first.</param>
    /// <param name="redoKeys">Keys the run processes again although they are complete; null or empty for none.</param>
    /// <param name="redoReason">Why they are redone (e.g. "manual review: bad OCR").</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public Task BeginRunAsync(bool resume, IReadOnlyList<string>? redoKeys, string? redoReason, CancellationToken cancellationToken = default) =>
        BeginRunCoreAsync(resume, null, redoKeys, redoReason, cancellationToken);

    internal async Task BeginRunCoreAsync(bool resume, int? itemCount, IReadOnlyList<string>? redoKeys, string? redoReason, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var redo = redoKeys is { Count: > 0 };
        await _journal.AppendAsync(
            new CheckpointRecord { Type = CheckpointRecordType.RunStarted, At = now, Resume = resume, Items = itemCount, RedoKeys = redo ? redoKeys : null, RedoReason = redo ? redoReason : null },
            resume ? AppendDurability.Policy : AppendDurability.Immediate, cancellationToken).ConfigureAwait(false);
        _freshStart = !resume;
        if (!resume)
        {
            var before = _journal.GetState();
            await _journal.AppendAsync(new CheckpointRecord { Type = CheckpointRecordType.Reset, At = now }, AppendDurability.Immediate, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation(
                "Stage {Stage}: fresh start requested: reset {Completed} completed item(s) and ${Cost} of accumulated cost (kept in the run history); every item is processed again",
                StageName, before.CompletedCount, before.TotalCostUsd.ToString("0.00", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Returns the keys that still need processing, in the given order, without duplicates. The outputs
    /// are the source of truth: a key marked complete whose output is missing or fails inspection is
    /// redone (and the reason logged); a valid output saved but never marked (a crash between save and
    /// mark) is adopted as complete with the cost saved in it. After a fresh start every key remains.
    /// </summary>
    /// <param name="keys">Every key of the run.</param>
    /// <param name="validateOutputs">False: a completed key only needs its output file to exist.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    public async Task<IReadOnlyList<string>> GetRemainingAsync(IEnumerable<string> keys, bool validateOutputs = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (Claiming is { } claiming)
        {
            return await GetRemainingClaimedAsync(claiming, keys, validateOutputs, cancellationToken).ConfigureAwait(false);
        }

        var scan = new RemainingScan(
            new HashSet<string>(_fs.ListFiles(OutputDirectoryPath), StringComparer.Ordinal),
            _journal.GetState().ResetAt,
            validateOutputs);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CheckpointKeys.Validate(key);
            if (!seen.Add(key))
            {
                continue;
            }

            if (_freshStart || await NeedsProcessingAsync(key, scan, cancellationToken).ConfigureAwait(false))
            {
                scan.Remaining.Add(key);
            }
        }

        LogScanSummary(scan);
        if (scan.Adopted > 0 || scan.Invalidated > 0)
        {
            await _journal.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return scan.Remaining;
    }

    /// <summary>What one <see cref="GetRemainingAsync"/> scan of the output directory found so far.</summary>
    private sealed class RemainingScan(HashSet<string> present, DateTimeOffset? resetAt, bool validateOutputs)
    {
        /// <summary>The file names in the output directory when the scan began.</summary>
        public HashSet<string> Present { get; } = present;

        /// <summary>When the last fresh start reset the stage (outputs saved before it are stale).</summary>
        public DateTimeOffset? ResetAt { get; } = resetAt;

        public bool ValidateOutputs { get; } = validateOutputs;

        public List<string> Remaining { get; } = [];

        /// <summary>Completed items redone because their output is missing or invalid.</summary>
        public int Invalidated { get; set; }

        /// <summary>Unmarked outputs that failed inspection.</summary>
        public int Rejected { get; set; }

        /// <summary>Unmarked outputs from before the last fresh start.</summary>
        public int Stale { get; set; }

        /// <summary>Valid unmarked outputs counted as complete.</summary>
        public int Adopted { get; set; }

        public decimal AdoptedCostUsd { get; set; }

        /// <summary>The first few problems are warnings, the rest Debug lines (one summary tells the count).</summary>
        public LogLevel NextProblemLevel => Invalidated + Rejected <= DetailedWarnings ? LogLevel.Warning : LogLevel.Debug;
    }

    /// <summary>
    /// Whether one distinct key of a resumed run needs processing: a completed key is checked on its output
    /// (<see cref="RecheckCompletedAsync"/>), an unmarked key with an output on disk may be adopted
    /// (<see cref="TryAdoptUnmarkedAsync"/>), any other key remains.
    /// </summary>
    private async Task<bool> NeedsProcessingAsync(string key, RemainingScan scan, CancellationToken cancellationToken)
    {
        var fileName = key + ".json";
        var path = Path.Combine(OutputDirectoryPath, fileName);
        if (_journal.IsCompleted(key))
        {
            return await RecheckCompletedAsync(key, fileName, path, scan, cancellationToken).ConfigureAwait(false);
        }

        return !scan.Present.Contains(fileName) || !await TryAdoptUnmarkedAsync(key, path, scan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A key marked complete stays complete while its output file exists (and, when outputs are validated,
    /// passes inspection); otherwise it is invalidated in the journal and processed again. Returns whether
    /// the key needs processing.
    /// </summary>
    private async Task<bool> RecheckCompletedAsync(string key, string fileName, string path, RemainingScan scan, CancellationToken cancellationToken)
    {
        var problem = !scan.Present.Contains(fileName) ? "its output file is missing"
            : scan.ValidateOutputs ? Inspect(key, path).Problem
            : null;
        if (problem is null)
        {
            return false;
        }

        scan.Invalidated++;
        _logger.Log(
            scan.NextProblemLevel,
            "Stage {Stage}: item {Key} was complete but {Problem} ({Path}); it will be processed again", StageName, key, problem, path);
        await _journal.AppendAsync(
            new CheckpointRecord { Type = CheckpointRecordType.Invalidated, At = _time.GetUtcNow(), Key = key, Error = problem },
            AppendDurability.Deferred, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// An output saved but never marked (a crash between save and mark) is adopted as complete, with the
    /// cost saved in it, when it passes inspection, was saved after the last fresh start, and the stage's
    /// save step (<see cref="StageCheckpointOptions.BeforeAdoptAsync"/>) completes for it. Returns whether it
    /// was adopted; a key not adopted is processed again.
    /// </summary>
    private async Task<bool> TryAdoptUnmarkedAsync(string key, string path, RemainingScan scan, CancellationToken cancellationToken)
    {
        var check = Inspect(key, path);
        if (check.Problem is not null)
        {
            scan.Rejected++;
            _logger.Log(
                scan.NextProblemLevel,
                "Stage {Stage}: item {Key} has an output that {Problem} ({Path}); it will be processed again", StageName, key, check.Problem, path);
            return false;
        }

        if (scan.ResetAt is not null && !(check.SavedAt >= scan.ResetAt))
        {
            // An output of a run before the last fresh start: expected, not worth a warning each.
            scan.Stale++;
            return false;
        }

        if (_options.BeforeAdoptAsync is { } beforeAdopt)
        {
            try
            {
                await beforeAdopt(key, _fs.ReadAllBytes(path), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning(e, "Stage {Stage}: item {Key} has a valid output saved by an interrupted run, but completing its save step failed ({Error}); it will be processed again", StageName, key, e.Message);
                return false;
            }
        }

        scan.Adopted++;
        scan.AdoptedCostUsd += check.CostUsd;
        _logger.LogDebug("Stage {Stage}: item {Key} has a valid output saved by an interrupted run; counted as complete", StageName, key);
        await _journal.AppendAsync(
            new CheckpointRecord { Type = CheckpointRecordType.Completed, At = _time.GetUtcNow(), Key = key, CostUsd = check.CostUsd, Adopted = true },
            AppendDurability.Deferred, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A bounded number of lines however many items: a 3,000-item stage rebuilt from its outputs must not
    /// bury the log. Adoptions, and invalid outputs past the first few, are itemized at Debug.
    /// </summary>
    private void LogScanSummary(RemainingScan scan)
    {
        if (scan.Stale > 0)
        {
            _logger.LogInformation("Stage {Stage}: {Count} output(s) predate the fresh start of {ResetAt:u} and will be replaced", StageName, scan.Stale, scan.ResetAt);
        }

        if (scan.Adopted > 0)
        {
            _logger.LogInformation(
                "Stage {Stage}: adopted {Count} valid output(s) saved by an interrupted run but never marked ({Cost} already paid) from '{Directory}'",
                StageName, scan.Adopted, "$" + scan.AdoptedCostUsd.ToString("0.00", CultureInfo.InvariantCulture), OutputDirectoryPath);
        }

        if (scan.Invalidated + scan.Rejected > DetailedWarnings)
        {
            _logger.LogWarning(
                "Stage {Stage}: in all, {Invalidated} completed item(s) whose output is missing or invalid and {Rejected} unmarked invalid output(s) in '{Directory}' will be processed again (the first {Detailed} are listed above, the others at Debug level)",
                StageName, scan.Invalidated, scan.Rejected, OutputDirectoryPath, DetailedWarnings);
        }
    }

    /// <summary>
    /// <see cref="GetRemainingAsync"/> on a shared store: the outputs stored with the completions are the
    /// truth. A completed item whose stored output fails inspection is redone; a valid one whose file copy
    /// is missing gets it back (the copy is what the next stage and the tools read). A completed item with no
    /// stored output (marked by hand after a file save) is checked on its file, as with the file store.
    /// There is nothing to adopt: an output is stored in the transaction that completes its item. The keys
    /// left are registered in the shared item list, where this worker and the others claim them.
    /// </summary>
    private async Task<IReadOnlyList<string>> GetRemainingClaimedAsync(IClaimingCheckpointJournal claiming, IEnumerable<string> keys, bool validateOutputs, CancellationToken cancellationToken)
    {
        var distinct = DistinctValidKeys(keys);
        var remaining = _freshStart
            ? distinct
            : await RecheckStoredOutputsAsync(claiming, distinct, validateOutputs, cancellationToken).ConfigureAwait(false);
        await claiming.RegisterItemsAsync(remaining, cancellationToken).ConfigureAwait(false);
        return remaining;
    }

    /// <summary>The keys in their first order without duplicates, each checked to be a valid key.</summary>
    private static List<string> DistinctValidKeys(IEnumerable<string> keys)
    {
        var distinct = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            CheckpointKeys.Validate(key);
            if (seen.Add(key))
            {
                distinct.Add(key);
            }
        }

        return distinct;
    }

    /// <summary>
    /// The keys of a resumed run on a shared store that need processing: those not completed, and the completed
    /// ones whose stored output (or, without one, output file) is missing or fails inspection, invalidated in the
    /// journal. A valid stored output whose file copy is missing is written back.
    /// </summary>
    private async Task<List<string>> RecheckStoredOutputsAsync(IClaimingCheckpointJournal claiming, List<string> distinct, bool validateOutputs, CancellationToken cancellationToken)
    {
        var remaining = new List<string>();
        var state = _journal.GetState();
        var completed = distinct.Where(state.Completed.ContainsKey).ToList();
        var stored = await claiming.ReadOutputsAsync(completed, cancellationToken).ConfigureAwait(false);
        var present = new HashSet<string>(_fs.ListFiles(OutputDirectoryPath), StringComparer.Ordinal);
        var completedSet = new HashSet<string>(completed, StringComparer.Ordinal);
        var invalidated = 0;
        var restored = 0;
        foreach (var key in distinct)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!completedSet.Contains(key))
            {
                remaining.Add(key);
                continue;
            }

            var path = Path.Combine(OutputDirectoryPath, key + ".json");
            string? problem;
            if (stored.TryGetValue(key, out var bytes))
            {
                problem = validateOutputs ? InspectBytes(key, bytes).Problem : null;
                if (problem is null && !present.Contains(key + ".json"))
                {
                    AtomicFile.WriteAllBytes(_fs, path, bytes, new AtomicWriteOptions { SkipDirectorySync = true });
                    restored++;
                }
            }
            else
            {
                problem = !present.Contains(key + ".json") ? "its output file is missing" : validateOutputs ? Inspect(key, path).Problem : null;
            }

            if (problem is null)
            {
                continue;
            }

            invalidated++;
            _logger.Log(
                invalidated <= DetailedWarnings ? LogLevel.Warning : LogLevel.Debug,
                "Stage {Stage}: item {Key} was complete but its stored output {Problem}; it will be processed again", StageName, key, problem);
            await _journal.AppendAsync(
                new CheckpointRecord { Type = CheckpointRecordType.Invalidated, At = _time.GetUtcNow(), Key = key, Error = problem },
                AppendDurability.Immediate, cancellationToken).ConfigureAwait(false);
            remaining.Add(key);
        }

        if (restored > 0)
        {
            await _outputDirectorySync.SyncAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Stage {Stage}: wrote back {Count} output file(s) from the outputs stored with their completions into '{Directory}'", StageName, restored, OutputDirectoryPath);
        }

        if (invalidated > DetailedWarnings)
        {
            _logger.LogWarning("Stage {Stage}: in all, {Count} completed item(s) whose stored output is invalid will be processed again (the first {Detailed} are listed above)", StageName, invalidated, DetailedWarnings);
        }

        return remaining;
    }

    /// <summary>
    /// Completes a claimed item on a shared store: inspects its output, stores it with the completion in one
    /// transaction fenced by the claim's lease, then writes the output file as a copy. Returns false, storing
    /// and writing nothing, when the lease was lost to another worker.
    /// </summary>
    internal async Task<bool> CompleteClaimedAsync(ItemClaim claim, byte[] outputFile, decimal costUsd, int? attempt, CancellationToken cancellationToken)
    {
        var claiming = Claiming ?? throw new InvalidOperationException($"Stage '{StageName}' is not on a shared store.");
        var path = GetOutputPath(claim.Key);
        if (_options.InspectOutput is { } inspect && inspect(claim.Key, outputFile).Problem is { } problem)
        {
            throw new InvalidDataException($"Output of item '{claim.Key}' failed validation before it was saved: {problem}");
        }

        if (!await claiming.CompleteClaimAsync(claim, outputFile, costUsd, attempt, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // Only the lease holder gets here, so a worker whose lease was lost never overwrites the copy.
        AtomicFile.WriteAllBytes(_fs, path, outputFile, new AtomicWriteOptions { SkipDirectorySync = true });
        await _outputDirectorySync.SyncAsync(CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Saves an item's output durably (atomic write: temp, fsync, validation, rename, directory fsync).
    /// After this, <see cref="MarkCompletedAsync(string, decimal, CancellationToken)"/> may mark the item.
    /// </summary>
    public async Task SaveOutputAsync(string key, byte[] outputFile, CancellationToken cancellationToken = default)
    {
        var path = GetOutputPath(key);
        cancellationToken.ThrowIfCancellationRequested();
        AtomicFile.WriteAllBytes(_fs, path, outputFile, new AtomicWriteOptions
        {
            Validate = _options.InspectOutput is null ? null : stream =>
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                var check = _options.InspectOutput(key, copy.ToArray());
                if (check.Problem is not null)
                {
                    throw new InvalidDataException($"Output of item '{key}' failed validation before it was saved: {check.Problem}");
                }
            },
            SkipDirectorySync = true,
        });

        // Concurrent saves share one fsync of the output folder; the new name is durable on return.
        await _outputDirectorySync.SyncAsync(CancellationToken.None).ConfigureAwait(false);
        _savedNotMarked[key] = 0;
    }

    /// <summary>
    /// Marks an item complete with its cost. Only legal after <see cref="SaveOutputAsync"/> saved its
    /// output in this session (save before mark); throws <see cref="InvalidOperationException"/> otherwise.
    /// Thread-safe. Durable on return under <see cref="CommitPolicy.EveryItem"/>.
    /// </summary>
    public Task MarkCompletedAsync(string key, decimal costUsd, CancellationToken cancellationToken = default) =>
        MarkCompletedAsync(key, costUsd, attempt: null, cancellationToken);

    /// <summary>
    /// Marks an item complete as <see cref="MarkCompletedAsync(string, decimal, CancellationToken)"/> does, with
    /// the number of the attempt that produced it. <paramref name="costUsd"/> is that attempt's cost only: the
    /// cost of failed attempts was recorded by <see cref="MarkAttemptFailedAsync"/> and is not counted twice.
    /// </summary>
    /// <param name="key">The item's key.</param>
    /// <param name="costUsd">The successful attempt's cost.</param>
    /// <param name="attempt">The attempt's number in this run, from 1; null when not tracked.</param>
    /// <param name="cancellationToken">Cancels the wait for durability.</param>
    public async Task MarkCompletedAsync(string key, decimal costUsd, int? attempt, CancellationToken cancellationToken = default)
    {
        if (!_savedNotMarked.ContainsKey(key))
        {
            throw new InvalidOperationException($"Item '{key}' of stage '{StageName}' cannot be marked complete: its output was not saved first (save before mark).");
        }

        await _journal.AppendAsync(
            new CheckpointRecord { Type = CheckpointRecordType.Completed, At = _time.GetUtcNow(), Key = key, CostUsd = costUsd, Attempt = attempt },
            AppendDurability.Policy, cancellationToken).ConfigureAwait(false);
        _savedNotMarked.TryRemove(key, out _);
    }

    /// <summary>
    /// Records that one attempt of an item's work failed, with what it cost: the cost is real money and joins
    /// the run's and the stage's totals and the item's <c>failed</c> record (attempts, last error, cost so far)
    /// now, so a crash before the item completes loses none of it. Durable on return under
    /// <see cref="CommitPolicy.EveryItem"/>.
    /// </summary>
    /// <param name="key">The item's key.</param>
    /// <param name="attempt">The attempt's number in this run, from 1.</param>
    /// <param name="costUsd">What the failed attempt cost.</param>
    /// <param name="error">Why it failed.</param>
    /// <param name="cancellationToken">Cancels the wait for durability.</param>
    public async Task MarkAttemptFailedAsync(string key, int attempt, decimal costUsd, string error, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(costUsd);
        await _journal.AppendAsync(
            new CheckpointRecord { Type = CheckpointRecordType.AttemptFailed, At = _time.GetUtcNow(), Key = key, CostUsd = costUsd, Error = error, Attempt = attempt },
            AppendDurability.Policy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that an item's work failed; it is retried on the next run.</summary>
    public Task MarkItemFailedAsync(string key, string error, CancellationToken cancellationToken = default) =>
        MarkItemFailedAsync(key, error, 0m, cancellationToken);

    /// <summary>
    /// Records that the run gives an item up (it is retried on the next run), adding
    /// <paramref name="unrecordedCostUsd"/>: cost that no attempt record holds yet, such as the work of an item
    /// whose output could not be saved.
    /// </summary>
    /// <param name="key">The item's key.</param>
    /// <param name="error">Why it failed.</param>
    /// <param name="unrecordedCostUsd">Cost not yet recorded by <see cref="MarkAttemptFailedAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for durability.</param>
    public async Task MarkItemFailedAsync(string key, string error, decimal unrecordedCostUsd, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unrecordedCostUsd);
        await _journal.AppendAsync(
            new CheckpointRecord { Type = CheckpointRecordType.ItemFailed, At = _time.GetUtcNow(), Key = key, Error = error, CostUsd = unrecordedCostUsd > 0 ? unrecordedCostUsd : null },
            AppendDurability.Policy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the run with <paramref name="status"/>, which the stage takes on (<see cref="RunStatus.Completed"/>
    /// leaves it <see cref="StageStatus.Completed"/>, <see cref="RunStatus.Cancelled"/> leaves it
    /// <see cref="StageStatus.Cancelled"/>, and so on); only a failure keeps <paramref name="error"/> as the
    /// stage's error, and any other end clears an earlier one. Durable on return.
    /// </summary>
    /// <param name="status">How the run ended.</param>
    /// <param name="error">What went wrong, or why the run stopped early; kept in the run history.</param>
    /// <param name="skipped">Items the run skipped as complete.</param>
    /// <param name="estimatedCostToFinishUsd">The estimated cost of the items the run left undone, when known.</param>
    /// <param name="cancellationToken">Cancels the wait for durability.</param>
    public async Task EndRunAsync(RunStatus status, string? error, int skipped, decimal? estimatedCostToFinishUsd = null, CancellationToken cancellationToken = default)
    {
        if (status is RunStatus.InProgress or RunStatus.Interrupted)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A run cannot end in progress or interrupted.");
        }

        await _journal.AppendAsync(
            new CheckpointRecord
            {
                Type = CheckpointRecordType.RunEnded, At = _time.GetUtcNow(), Status = status, Error = error, Skipped = skipped,
                EstimatedCostToFinishUsd = estimatedCostToFinishUsd,
            },
            AppendDurability.Immediate, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes every mark durable.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _journal.FlushAsync(cancellationToken).AsTask();

    /// <summary>Flushes pending marks, folds the journal into the snapshot, and releases the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _journal.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Marks that could not be flushed are not lost: their outputs are saved, and the next run
            // adopts them. Throwing here would hide the error that ended the run.
            _logger.LogWarning(e, "Stage {Stage}: pending marks could not be flushed when closing the checkpoint ({Error}); the next run re-checks their outputs", StageName, e.Message);
        }
    }

    private OutputCheck Inspect(string key, string path)
    {
        byte[] content;
        try
        {
            content = _fs.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return OutputCheck.Invalid($"cannot be read ({e.Message})");
        }

        return InspectBytes(key, content);
    }

    private OutputCheck InspectBytes(string key, byte[] content)
    {
        if (_options.InspectOutput is { } inspect)
        {
            try
            {
                return inspect(key, content);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return OutputCheck.Invalid($"could not be inspected ({e.GetType().Name}: {e.Message})");
            }
        }

        return OutputCheck.Valid(0);
    }
}
