using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Checkpointing.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Checkpointing;

/// <summary>
/// Runs a stage: resume (skip what is done, redo what is missing or invalid), per-item work with
/// parallel workers, save before mark, cost accumulated across runs, failure records that keep partial
/// progress, progress and log messages. The <c>[Checkpointed]</c> generator calls this.
/// </summary>
public static class StageRunner
{
    /// <summary>Runs <paramref name="definition"/> over <paramref name="items"/>.</summary>
    /// <exception cref="CheckpointLockedException">Another run holds the stage.</exception>
    /// <exception cref="StageCanceledException">The run was cancelled; completed items stay completed.</exception>
    /// <exception cref="StageFailedException">An item failed under <see cref="ItemFailurePolicy.FailStage"/>.</exception>
    /// <exception cref="StageBudgetExceededException">The run reached its cost budget before it processed every item.</exception>
    /// <exception cref="ArgumentException"><see cref="StageRunOptions.RedoKeys"/> names a key that is not among the items.</exception>
    public static Task<StageRunResult> RunAsync<TItem, TOutput>(
        StageDefinition<TItem, TOutput> definition, IEnumerable<TItem> items, StageRunOptions options, CancellationToken cancellationToken = default) =>
        RunAsync(definition, items, options, PhysicalFileSystem.Instance, options?.TimeProvider ?? TimeProvider.System, cancellationToken);

    internal static async Task<StageRunResult> RunAsync<TItem, TOutput>(
        StageDefinition<TItem, TOutput> definition, IEnumerable<TItem> items, StageRunOptions options,
        IFileSystem fs, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDegreeOfParallelism, 1, nameof(options.MaxDegreeOfParallelism));
        ThrowIfNegative(options.CostBudgetUsd, nameof(options.CostBudgetUsd));
        ThrowIfNegative(options.TotalCostBudgetUsd, nameof(options.TotalCostBudgetUsd));
        var logger = options.Logger ?? NullLogger.Instance;
        var stopwatch = Stopwatch.StartNew();
        var stage = definition.StageName;

        // Keys are computed (and validated) before anything is opened: a bad key fails fast, naming it.
        var byKey = new Dictionary<string, TItem>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var item in items)
        {
            var key = CheckpointKeys.Validate(definition.GetKey(item));
            if (byKey.TryAdd(key, item))
            {
                order.Add(key);
            }
            else
            {
                logger.LogWarning("Stage {Stage}: item key {Key} appears more than once; it is processed once", stage, key);
            }
        }

        var redo = ResolveRedoKeys(stage, options.RedoKeys, order, byKey);
        var typeInfo = definition.OutputTypeInfo;
        await using var checkpoint = await StageCheckpoint.OpenAsync(
            new StageCheckpointOptions
            {
                Root = options.Root,
                RunId = options.RunId,
                StageName = stage,
                OutputDirectory = definition.EffectiveOutputDirectory,
                CommitPolicy = options.CommitPolicy,
                StrictCheckpoint = options.StrictCheckpoint,
                Store = options.Store,
                Logger = logger,
                ItemType = $"{typeof(TItem).FullName} -> {typeof(TOutput).FullName}",
                InspectOutput = (key, bytes) => InspectOutput(definition, key, bytes),

                // An output saved but never marked may have missed its save hook (e.g. its cumulative CSV row).
                BeforeAdoptAsync = definition.OnOutputSavedAsync is { } onSaved
                    ? async (key, bytes, ct) => await onSaved(key, StageOutputFile.Deserialize(bytes, typeInfo).Output, ct).ConfigureAwait(false)
                    : null,
            },
            fs, time, cancellationToken).ConfigureAwait(false);
        await checkpoint.BeginRunCoreAsync(options.Resume, order.Count, redo, options.RedoReason, cancellationToken).ConfigureAwait(false);
        var remaining = await checkpoint.GetRemainingAsync(order, options.ValidateOutputsOnResume, cancellationToken).ConfigureAwait(false);
        if (redo.Count > 0)
        {
            // Complete items named for redo join the remaining ones, in the run's order.
            var todo = new HashSet<string>(remaining, StringComparer.Ordinal);
            todo.UnionWith(redo);
            remaining = order.Where(todo.Contains).ToList();
            logger.LogInformation("Stage {Stage}: redoing {Count} complete item(s) ({Keys}): {Reason}", stage, redo.Count, string.Join(", ", redo), options.RedoReason ?? "no reason given");
        }

        var skipped = order.Count - remaining.Count;
        var before = checkpoint.GetState();
        var saved = before.AverageItemCostUsd * skipped;
        if (skipped > 0)
        {
            logger.LogInformation(
                "Resuming: {Skipped} items completed, ~${Saved} saved ({Stage}: {Remaining} of {Total} to process)",
                skipped, saved.ToString("0.00", CultureInfo.InvariantCulture), stage, remaining.Count, order.Count);
        }
        else
        {
            logger.LogInformation("Stage {Stage}: processing {Count} items", stage, remaining.Count);
        }

        // A shared store: this worker claims items in small batches, and other workers may take the rest.
        var claiming = checkpoint.Claiming;
        var claims = new System.Collections.Concurrent.ConcurrentDictionary<string, ItemClaim>(StringComparer.Ordinal);
        var leasesLost = 0;
        var stageTag = StageTelemetry.StageTag(stage);
        if (skipped > 0)
        {
            StageTelemetry.Skipped.Add(skipped, stageTag);
        }

        var tally = new StageRunTally(order.Count, skipped, before, options.CostBudgetUsd, options.TotalCostBudgetUsd);

        // A shared store's budgets cap the stage's spending, all workers together: read what the others spent.
        var othersSpending = options.CostBudgetUsd is null && options.TotalCostBudgetUsd is null ? null : claiming as ISharedSpendingJournal;
        if (othersSpending is not null)
        {
            tally.OthersSpent(await othersSpending.ReadOthersSpendingAsync(cancellationToken).ConfigureAwait(false));
        }

        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        Exception? stageError = null;
        string? stageErrorMessage = null;
        var progress = options.Progress;
        progress?.Report(tally.Progress(stage, null, lastFailed: false));

        async ValueTask FailItemAsync(ItemRun item, Exception error, decimal unrecordedCost, CancellationTokenSource stop)
        {
            var message = $"{error.GetType().Name}: {error.Message}";
            failures[item.Key] = message;
            tally.ItemFailed();
            StageTelemetry.Failed.Add(1, stageTag);
            StageTelemetry.InFlight.Add(-1, stageTag);
            StageTelemetry.EndItem(item.Activity, "failed", item.Context.Attempt, item.Context.CostUsd, message);
            logger.LogError(error, "Stage {Stage}: item {Key} failed: {Error}", stage, item.Key, message);
            var fatal = false;
            try
            {
                await checkpoint.MarkItemFailedAsync(item.Key, message, unrecordedCost, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception journalError)
            {
                // The checkpoint itself cannot be written (e.g. the disk is full): nothing more can be
                // recorded, so stop the stage. This must not throw: savers and workers rely on it.
                logger.LogError(journalError, "Stage {Stage}: could not record the failure of item {Key}: {Error}", stage, item.Key, journalError.Message);
                fatal = true;
            }

            if (fatal || options.ItemFailurePolicy == ItemFailurePolicy.FailStage)
            {
                if (Interlocked.CompareExchange(ref stageError, error, null) is null)
                {
                    stageErrorMessage = $"Item '{item.Key}' failed: {message}";
                }

                await stop.CancelAsync().ConfigureAwait(false);
                return;
            }

            progress?.Report(tally.Progress(stage, item.Key, lastFailed: true));
        }

        // One attempt of an item's work, run directly or inside the user's resilience pipeline. A failed
        // attempt's cost is journaled before the pipeline decides what to do next: a retry, or a crash during
        // its backoff, must not lose money already spent.
        async ValueTask<TOutput> AttemptAsync(ItemRun item, CancellationToken ct)
        {
            var attempt = item.Context.StartAttempt();
            if (attempt > 1)
            {
                StageTelemetry.Retried.Add(1, stageTag);
            }

            var costBefore = item.Context.CostUsd;
            try
            {
                var output = await definition.ProcessAsync(byKey[item.Key], item.Context, ct).ConfigureAwait(false);
                if (output is null)
                {
                    throw new InvalidDataException($"The work for item '{item.Key}' returned null.");
                }

                if (definition.Validate?.Invoke(output) is { Count: > 0 } errors)
                {
                    throw new InvalidDataException($"The output of item '{item.Key}' is invalid: {string.Join("; ", errors)}");
                }

                return output;
            }
            catch (Exception e) when (!item.RunToken.IsCancellationRequested)
            {
                var cost = item.Context.CostUsd - costBefore;
                await RecordAttemptAsync(item, attempt, cost, $"{e.GetType().Name}: {e.Message}").ConfigureAwait(false);
                StageTelemetry.AttemptFailed(item.Activity, attempt, cost, e);
                throw;
            }
        }

        async ValueTask RecordAttemptAsync(ItemRun item, int attempt, decimal cost, string error)
        {
            await checkpoint.MarkAttemptFailedAsync(item.Key, attempt, cost, error, CancellationToken.None).ConfigureAwait(false);
            item.RecordedCost += cost;
            tally.AddSpent(cost);
            tally.AttemptFailed();
            AddCostMetric(cost, stageTag);
        }

        // Workers do the work; savers make outputs durable and mark them. The two overlap, so an item's
        // fsyncs are not on its worker's path to the next item, while each item is still saved before it
        // is marked. Savers drain the queue even after a failure or a cancellation: that work is paid for.
        // A kill loses the finished outputs not yet saved, each a paid call: at most one per saver is
        // queued or being saved (a worker with a finished output waits for a slot), so with P workers no
        // more than 2P items (P in work or waiting, P with the savers) are at risk.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var saverCount = options.MaxDegreeOfParallelism;
        using var saveSlots = options.UnboundedSaveQueue ? null : new SemaphoreSlim(saverCount, saverCount);
        var saves = options.UnboundedSaveQueue
            ? Channel.CreateBounded<PendingSave<TOutput>>(new BoundedChannelOptions(saverCount * 2) { FullMode = BoundedChannelFullMode.Wait })
            : Channel.CreateUnbounded<PendingSave<TOutput>>();
        var markDuration = StageTelemetry.MarkDuration.Enabled;
        var savers = Enumerable.Range(0, saverCount).Select(_ => Task.Run(async () =>
        {
            await foreach (var pending in saves.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var saved = false;
                try
                {
                    if (claiming is not null)
                    {
                        await CompleteClaimedAsync(pending).ConfigureAwait(false);
                        continue;
                    }

                    await checkpoint.SaveOutputAsync(pending.Item.Key, pending.File, CancellationToken.None).ConfigureAwait(false);
                    saved = true;
                    if (definition.OnOutputSavedAsync is { } onSaved)
                    {
                        await onSaved(pending.Item.Key, pending.Output, CancellationToken.None).ConfigureAwait(false);
                    }

                    var markStarted = markDuration ? Stopwatch.GetTimestamp() : 0;
                    await checkpoint.MarkCompletedAsync(pending.Item.Key, pending.CostUsd, pending.Item.Context.Attempt, CancellationToken.None).ConfigureAwait(false);
                    if (markDuration)
                    {
                        StageTelemetry.MarkDuration.Record(Stopwatch.GetElapsedTime(markStarted).TotalSeconds, stageTag);
                    }

                    StageTelemetry.Processed.Add(1, stageTag);
                    StageTelemetry.InFlight.Add(-1, stageTag);
                    StageTelemetry.EndItem(pending.Item.Activity, "completed", pending.Item.Context.Attempt, pending.Item.Context.CostUsd, null);
                    var report = tally.Completed(stage, pending.Item.Key);
                    progress?.Report(report);
                }
                catch (Exception e)
                {
                    // The work was paid for but is not marked. A durable output carries its cost and is adopted by
                    // the next run; otherwise the cost goes with the failure record. Never both.
                    await FailItemAsync(pending.Item, e, saved ? 0m : pending.CostUsd, stop).ConfigureAwait(false);
                }
                finally
                {
                    saveSlots?.Release();
                }
            }
        })).ToArray();

        // Shared store: the output is stored with the completion, fenced by the lease, then copied to its file.
        // A lost lease means another worker owns the item now: this worker's work is dropped, its cost kept.
        async ValueTask CompleteClaimedAsync(PendingSave<TOutput> pending)
        {
            var key = pending.Item.Key;
            claims.TryRemove(key, out var claim);
            var markStarted = markDuration ? Stopwatch.GetTimestamp() : 0;
            if (!await checkpoint.CompleteClaimedAsync(claim, pending.File, pending.CostUsd, pending.Item.Context.Attempt, CancellationToken.None).ConfigureAwait(false))
            {
                Interlocked.Increment(ref leasesLost);
                logger.LogWarning("Stage {Stage}: the lease on item {Key} expired and another worker claimed it; this worker's output is dropped and its cost (${Cost}) kept as a failed attempt", stage, key, pending.CostUsd.ToString("0.0000", CultureInfo.InvariantCulture));
                await checkpoint.MarkAttemptFailedAsync(key, pending.Item.Context.Attempt, pending.CostUsd, "lease lost: another worker claimed the item", CancellationToken.None).ConfigureAwait(false);
                StageTelemetry.InFlight.Add(-1, stageTag);
                StageTelemetry.EndItem(pending.Item.Activity, "lease_lost", pending.Item.Context.Attempt, pending.Item.Context.CostUsd, null);
                return;
            }

            if (markDuration)
            {
                StageTelemetry.MarkDuration.Record(Stopwatch.GetElapsedTime(markStarted).TotalSeconds, stageTag);
            }

            if (definition.OnOutputSavedAsync is { } onSaved)
            {
                try
                {
                    await onSaved(key, pending.Output, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // The item is complete in the store, its output stored and copied: only the hook is missing.
                    logger.LogError(e, "Stage {Stage}: item {Key} is complete but its save hook failed: {Error}", stage, key, e.Message);
                }
            }

            StageTelemetry.Processed.Add(1, stageTag);
            StageTelemetry.InFlight.Add(-1, stageTag);
            StageTelemetry.EndItem(pending.Item.Activity, "completed", pending.Item.Context.Attempt, pending.Item.Context.CostUsd, null);
            var report = tally.Completed(stage, key);
            progress?.Report(report);
        }

        // Once a budget is reached no new item is taken; the ones in flight finish and are saved.
        decimal? budgetCap = null;
        IEnumerable<string> Admit()
        {
            foreach (var key in remaining)
            {
                if (tally.BudgetReached(out var cap))
                {
                    budgetCap = cap;
                    yield break;
                }

                yield return key;
            }
        }

        // Shared store: claim small batches (no larger than the workers, so claims do not sit idle while
        // other workers wait) until nothing is left. A store that cannot be reached stops the claiming, not
        // the items in flight: they finish, and their completions are retried.
        Exception? storeError = null;
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        async IAsyncEnumerable<string> Claim([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            var batchSize = Math.Min(options.MaxDegreeOfParallelism, 16);
            while (!ct.IsCancellationRequested)
            {
                if (tally.BudgetReached(out var cap))
                {
                    budgetCap = cap;
                    yield break;
                }

                IReadOnlyList<ItemClaim> batch;
                try
                {
                    batch = await claiming!.ClaimAsync(batchSize, excluded, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    storeError = e;
                    logger.LogError(e, "Stage {Stage}: stopped claiming items: {Error}. Completed items are kept in the store; items in flight finish", stage, e.Message);
                    yield break;
                }

                if (batch.Count == 0)
                {
                    yield break;
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    var claim = batch[i];
                    if (!byKey.ContainsKey(claim.Key))
                    {
                        // Another worker registered a key this one was not given: leave it to them.
                        excluded.Add(claim.Key);
                        await claiming!.ReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
                        continue;
                    }

                    // With a budget on a shared store, what the other workers spent is read before each item starts.
                    if (othersSpending is not null)
                    {
                        try
                        {
                            tally.OthersSpent(await othersSpending.ReadOthersSpendingAsync(ct).ConfigureAwait(false));
                        }
                        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                        {
                            storeError = e;
                        }

                        if (storeError is not null || tally.BudgetReached(out cap))
                        {
                            budgetCap = storeError is null ? cap : null;
                            foreach (var left in batch.Skip(i))
                            {
                                claims[left.Key] = left; // released with the others' at the end of the run
                            }

                            yield break;
                        }
                    }

                    claims[claim.Key] = claim;
                    yield return claim.Key;
                }
            }
        }

        var pipeline = options.ItemPipeline;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = stop.Token };
        try
        {
            if (claiming is null)
            {
                await Parallel.ForEachAsync(Admit(), parallel, ProcessItemAsync).ConfigureAwait(false);
            }
            else
            {
                await Parallel.ForEachAsync(Claim(), parallel, ProcessItemAsync).ConfigureAwait(false);
            }

            async ValueTask ProcessItemAsync(string key, CancellationToken ct)
            {
                var item = new ItemRun(key, new ItemContext(stage, key, logger), StageTelemetry.StartItem(stage, options.RunId, key), ct);
                StageTelemetry.InFlight.Add(1, stageTag);
                try
                {
                    var output = pipeline is null
                        ? await AttemptAsync(item, ct).ConfigureAwait(false)
                        : await pipeline.ExecuteAsync(static (state, ct) => state.Attempt(state.Item, ct), (Attempt: (Func<ItemRun, CancellationToken, ValueTask<TOutput>>)AttemptAsync, Item: item), ct).ConfigureAwait(false);
                    var cost = item.Context.CostUsd - item.RecordedCost;
                    tally.WorkSucceeded(cost);
                    AddCostMetric(cost, stageTag);
                    var file = StageOutputFile.Serialize(key, output, cost, time.GetUtcNow(), typeInfo);

                    // Not cancellable: once the work is done its output is saved, whatever happens next.
                    if (saveSlots is not null)
                    {
                        await saveSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    }

                    await saves.Writer.WriteAsync(new PendingSave<TOutput>(item, output, cost, file), CancellationToken.None).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // An attempt cut short by the cancellation may still have spent money: keep it.
                    var unrecorded = item.Context.CostUsd - item.RecordedCost;
                    if (unrecorded > 0)
                    {
                        try
                        {
                            await RecordAttemptAsync(item, item.Context.Attempt, unrecorded, "cancelled before it finished").ConfigureAwait(false);
                        }
                        catch (Exception journalError) when (journalError is IOException or UnauthorizedAccessException)
                        {
                            // The run is stopping anyway; the cancellation, not the journal, is what the caller sees.
                            logger.LogError(journalError, "Stage {Stage}: could not record the cost of the cancelled item {Key}: {Error}", stage, key, journalError.Message);
                        }
                    }

                    StageTelemetry.InFlight.Add(-1, stageTag);
                    StageTelemetry.EndItem(item.Activity, "cancelled", item.Context.Attempt, item.Context.CostUsd, null);
                    throw;
                }
                catch (Exception e)
                {
                    var unrecorded = item.Context.CostUsd - item.RecordedCost;
                    tally.AddSpent(unrecorded);
                    AddCostMetric(unrecorded, stageTag);
                    await FailItemAsync(item, e, unrecorded, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stageError is not null || cancellationToken.IsCancellationRequested)
        {
            // Handled below: a failed item stopped the others, or the caller cancelled.
        }
        finally
        {
            saves.Writer.TryComplete();
            await Task.WhenAll(savers).ConfigureAwait(false);
        }

        if (storeError is not null && Interlocked.CompareExchange(ref stageError, storeError, null) is null)
        {
            stageErrorMessage = $"The checkpoint store cannot be reached: {storeError.Message}";
        }

        if (claiming is not null)
        {
            // Claims taken but never started (a stop or a failure ended the run) go back at once.
            foreach (var claim in claims.Values)
            {
                try
                {
                    await claiming.ReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException)
                {
                    logger.LogDebug(e, "Stage {Stage}: could not release the claim on {Key}; its lease will expire", stage, claim.Key);
                }
            }

            if (leasesLost > 0)
            {
                logger.LogWarning("Stage {Stage}: {Count} item(s) were lost to other workers after their leases expired (a stall longer than the lease?)", stage, leasesLost);
            }
        }

        var cancelled = stageError is null && cancellationToken.IsCancellationRequested;
        var estimate = tally.EstimatedCostToFinish();
        var overBudget = stageError is null && !cancelled && budgetCap is not null && tally.Processed + skipped + failures.Count < order.Count;
        RunStatus status;
        string? error;
        if (stageError is not null)
        {
            status = RunStatus.Failed;
            error = stageErrorMessage;
        }
        else if (cancelled)
        {
            status = RunStatus.Cancelled;
            error = "The run was cancelled before it processed every item.";
        }
        else if (overBudget)
        {
            status = RunStatus.BudgetExceeded;
            error = tally.BudgetMessage(budgetCap!.Value);
            logger.LogWarning("Stage {Stage}: {Budget}", stage, error);
        }
        else if (!failures.IsEmpty)
        {
            status = RunStatus.Failed;
            error = $"{failures.Count} item(s) failed and will be retried on the next run: {string.Join(", ", failures.Keys.Order(StringComparer.Ordinal).Take(10))}";
        }
        else
        {
            status = RunStatus.Completed;
            error = null;
        }

        try
        {
            await checkpoint.EndRunAsync(status, error, skipped, estimate, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (stageError is not null && e is IOException or UnauthorizedAccessException)
        {
            // Recording the end failed for the same reason the run failed; report the original error.
            logger.LogError(e, "Stage {Stage}: could not record the end of the run: {Error}", stage, e.Message);
        }

        StageCheckpointDocument after;
        try
        {
            after = checkpoint.GetState();
        }
        catch (IOException e) when (stageError is not null)
        {
            // A shared store that cannot be reached cannot be read either: report the run from what it knows.
            logger.LogError(e, "Stage {Stage}: could not read the checkpoint after the run: {Error}", stage, e.Message);
            after = before;
        }

        var runCost = tally.Spent;
        var result = new StageRunResult
        {
            StageName = stage,
            Total = order.Count,
            Skipped = skipped,
            Processed = tally.Processed,
            Failed = failures.Count,
            RunCostUsd = runCost,
            AdoptedCostUsd = after.Runs.Count > 0 ? after.Runs[^1].AdoptedCostUsd : 0,
            TotalCostUsd = after.TotalCostUsd,
            EstimatedCostSavedUsd = saved,
            Duration = stopwatch.Elapsed,
            Status = after.Status,
            FailedItems = new Dictionary<string, string>(failures, StringComparer.Ordinal),
            Cancelled = cancelled,
            EstimatedCostToFinishUsd = estimate,
            FailedAttempts = tally.FailedAttempts,
            RedoneKeys = redo,
        };

        logger.LogInformation(
            "Stage {Stage} {Status}: {Processed} processed, {Skipped} skipped, {Failed} failed; ${RunCost} paid this run, ${AdoptedCost} adopted from an interrupted run, ${TotalCost} in total ({Duration:0.0} s)",
            stage, StatusNames.Of(status), result.Processed, skipped, failures.Count,
            runCost.ToString("0.00", CultureInfo.InvariantCulture), result.AdoptedCostUsd.ToString("0.00", CultureInfo.InvariantCulture),
            after.TotalCostUsd.ToString("0.00", CultureInfo.InvariantCulture), stopwatch.Elapsed.TotalSeconds);

        if (stageError is not null)
        {
            throw new StageFailedException(stage, result, stageError);
        }

        if (cancelled)
        {
            throw new StageCanceledException(stage, result, cancellationToken);
        }

        if (status == RunStatus.BudgetExceeded)
        {
            throw new StageBudgetExceededException(stage, result, budgetCap!.Value, error!);
        }

        return result;
    }

    private static void ThrowIfNegative(decimal? value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "A cost budget cannot be negative.");
        }
    }

    private static void AddCostMetric(decimal cost, KeyValuePair<string, object?> stageTag)
    {
        if (cost > 0)
        {
            StageTelemetry.Cost.Add((double)cost, stageTag);
        }
    }

    /// <summary>The redo keys in the run's order; an unknown key is an error before anything is opened.</summary>
    private static IReadOnlyList<string> ResolveRedoKeys<TItem>(string stage, IReadOnlyCollection<string>? redoKeys, List<string> order, Dictionary<string, TItem> byKey)
    {
        if (redoKeys is null || redoKeys.Count == 0)
        {
            return [];
        }

        var unknown = redoKeys.Where(k => k is null || !byKey.ContainsKey(k)).Select(k => k is null ? "(null)" : $"'{k}'").Distinct().ToList();
        if (unknown.Count > 0)
        {
            var example = order.Count > 0 ? $" (e.g. '{order[0]}')" : "";
            throw new ArgumentException(
                $"RedoKeys of stage '{stage}' names {unknown.Count} key(s) that are not among the run's {order.Count} items: {string.Join(", ", unknown.Take(20))}. " +
                $"Write keys as they appear in the checkpoint and the output file names{example}.",
                nameof(StageRunOptions.RedoKeys));
        }

        var wanted = new HashSet<string>(redoKeys, StringComparer.Ordinal);
        return order.Where(wanted.Contains).ToList();
    }

    /// <summary>One item on its way through the run: its context across attempts, its activity, and the cost already journaled.</summary>
    private sealed class ItemRun(string key, ItemContext context, Activity? activity, CancellationToken runToken)
    {
        public string Key { get; } = key;

        public ItemContext Context { get; } = context;

        public Activity? Activity { get; } = activity;

        /// <summary>The run's token: an attempt that fails because it is cancelled is not a failed attempt.</summary>
        public CancellationToken RunToken { get; } = runToken;

        /// <summary>Cost already journaled by failed-attempt records; the rest goes with the item's completion or failure.</summary>
        public decimal RecordedCost { get; set; }
    }

    private sealed record PendingSave<TOutput>(ItemRun Item, TOutput Output, decimal CostUsd, byte[] File);

    private static OutputCheck InspectOutput<TItem, TOutput>(StageDefinition<TItem, TOutput> definition, string key, byte[] bytes)
    {
        StageOutput<TOutput> saved;
        try
        {
            saved = StageOutputFile.Deserialize(bytes, definition.OutputTypeInfo);
        }
        catch (FormatException e)
        {
            return OutputCheck.Invalid("is unreadable: " + e.Message);
        }

        if (!string.Equals(saved.Key, key, StringComparison.Ordinal))
        {
            return OutputCheck.Invalid($"belongs to item '{saved.Key}'");
        }

        if (definition.Validate?.Invoke(saved.Output) is { Count: > 0 } errors)
        {
            return OutputCheck.Invalid("fails validation: " + string.Join("; ", errors));
        }

        return OutputCheck.Valid(saved.CostUsd, saved.SavedAt);
    }
}
