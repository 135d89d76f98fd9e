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
        var logger = options.Logger ?? NullLogger.Instance;
        var stopwatch = Stopwatch.StartNew();

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
                logger.LogWarning("Stage {Stage}: item key {Key} appears more than once; it is processed once", definition.StageName, key);
            }
        }

        var typeInfo = definition.OutputTypeInfo;
        await using var checkpoint = await StageCheckpoint.OpenAsync(
            new StageCheckpointOptions
            {
                Root = options.Root,
                RunId = options.RunId,
                StageName = definition.StageName,
                OutputDirectory = definition.EffectiveOutputDirectory,
                CommitPolicy = options.CommitPolicy,
                StrictCheckpoint = options.StrictCheckpoint,
                Store = options.Store,
                Logger = logger,
                InspectOutput = (key, bytes) => InspectOutput(definition, key, bytes),

                // An output saved but never marked may have missed its save hook (e.g. its cumulative CSV row).
                BeforeAdoptAsync = definition.OnOutputSavedAsync is { } onSaved
                    ? async (key, bytes, ct) => await onSaved(key, StageOutputFile.Deserialize(bytes, typeInfo).Output, ct).ConfigureAwait(false)
                    : null,
            },
            fs, time, cancellationToken).ConfigureAwait(false);
        await checkpoint.BeginRunAsync(options.Resume, order.Count, cancellationToken).ConfigureAwait(false);
        var remaining = await checkpoint.GetRemainingAsync(order, options.ValidateOutputsOnResume, cancellationToken).ConfigureAwait(false);
        var skipped = order.Count - remaining.Count;
        var before = checkpoint.GetState();
        var saved = before.AverageItemCostUsd * skipped;
        if (skipped > 0)
        {
            logger.LogInformation(
                "Resuming: {Skipped} items completed, ~${Saved} saved ({Stage}: {Remaining} of {Total} to process)",
                skipped, saved.ToString("0.00", CultureInfo.InvariantCulture), definition.StageName, remaining.Count, order.Count);
        }
        else
        {
            logger.LogInformation("Stage {Stage}: processing {Count} items", definition.StageName, remaining.Count);
        }

        var processed = 0;
        var failed = 0;
        decimal runCost = 0;
        var costLock = new object();
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        Exception? stageError = null;
        string? stageErrorMessage = null;
        var progress = options.Progress;
        progress?.Report(new StageProgress(definition.StageName, order.Count, skipped, 0, 0, 0, null));

        void ReportItem(string key, decimal cost, bool completed)
        {
            int done;
            decimal costNow;
            lock (costLock)
            {
                runCost += cost;
                done = completed ? ++processed : processed;
                costNow = runCost;
            }

            progress?.Report(new StageProgress(definition.StageName, order.Count, skipped, done, Volatile.Read(ref failed), costNow, key, LastFailed: !completed));
        }

        async ValueTask FailItemAsync(string key, Exception error, CancellationTokenSource stop)
        {
            var message = $"{error.GetType().Name}: {error.Message}";
            failures[key] = message;
            Interlocked.Increment(ref failed);
            logger.LogError(error, "Stage {Stage}: item {Key} failed: {Error}", definition.StageName, key, message);
            var fatal = false;
            try
            {
                await checkpoint.MarkItemFailedAsync(key, message, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception journalError)
            {
                // The checkpoint itself cannot be written (e.g. the disk is full): nothing more can be
                // recorded, so stop the stage. This must not throw: savers and workers rely on it.
                logger.LogError(journalError, "Stage {Stage}: could not record the failure of item {Key}: {Error}", definition.StageName, key, journalError.Message);
                fatal = true;
            }

            if (fatal || options.ItemFailurePolicy == ItemFailurePolicy.FailStage)
            {
                if (Interlocked.CompareExchange(ref stageError, error, null) is null)
                {
                    stageErrorMessage = $"Item '{key}' failed: {message}";
                }

                await stop.CancelAsync().ConfigureAwait(false);
                return;
            }

            ReportItem(key, 0, completed: false);
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
        var savers = Enumerable.Range(0, saverCount).Select(_ => Task.Run(async () =>
        {
            await foreach (var pending in saves.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                try
                {
                    await checkpoint.SaveOutputAsync(pending.Key, pending.File, CancellationToken.None).ConfigureAwait(false);
                    if (definition.OnOutputSavedAsync is { } onSaved)
                    {
                        await onSaved(pending.Key, pending.Output, CancellationToken.None).ConfigureAwait(false);
                    }

                    await checkpoint.MarkCompletedAsync(pending.Key, pending.CostUsd, CancellationToken.None).ConfigureAwait(false);
                    ReportItem(pending.Key, pending.CostUsd, completed: true);
                }
                catch (Exception e)
                {
                    await FailItemAsync(pending.Key, e, stop).ConfigureAwait(false);
                }
                finally
                {
                    saveSlots?.Release();
                }
            }
        })).ToArray();

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = stop.Token };
        try
        {
            await Parallel.ForEachAsync(remaining, parallel, async (key, ct) =>
            {
                var context = new ItemContext(definition.StageName, key, logger);
                try
                {
                    var output = await definition.ProcessAsync(byKey[key], context, ct).ConfigureAwait(false);
                    if (output is null)
                    {
                        throw new InvalidDataException($"The work for item '{key}' returned null.");
                    }

                    if (definition.Validate?.Invoke(output) is { Count: > 0 } errors)
                    {
                        throw new InvalidDataException($"The output of item '{key}' is invalid: {string.Join("; ", errors)}");
                    }

                    var cost = context.CostUsd;
                    var file = StageOutputFile.Serialize(key, output, cost, time.GetUtcNow(), typeInfo);

                    // Not cancellable: once the work is done its output is saved, whatever happens next.
                    if (saveSlots is not null)
                    {
                        await saveSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    }

                    await saves.Writer.WriteAsync(new PendingSave<TOutput>(key, output, cost, file), CancellationToken.None).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    await FailItemAsync(key, e, stop).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
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

        var cancelled = stageError is null && cancellationToken.IsCancellationRequested;
        string status;
        string? error;
        if (stageError is not null)
        {
            status = "failed";
            error = stageErrorMessage;
        }
        else if (cancelled)
        {
            status = "cancelled";
            error = "The run was cancelled before it processed every item.";
        }
        else if (!failures.IsEmpty)
        {
            status = "failed";
            error = $"{failures.Count} item(s) failed and will be retried on the next run: {string.Join(", ", failures.Keys.Order(StringComparer.Ordinal).Take(10))}";
        }
        else
        {
            status = "completed";
            error = null;
        }

        try
        {
            await checkpoint.EndRunAsync(status, error, skipped, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (stageError is not null && e is IOException or UnauthorizedAccessException)
        {
            // Recording the end failed for the same reason the run failed; report the original error.
            logger.LogError(e, "Stage {Stage}: could not record the end of the run: {Error}", definition.StageName, e.Message);
        }
        var after = checkpoint.GetState();
        var result = new StageRunResult
        {
            StageName = definition.StageName,
            Total = order.Count,
            Skipped = skipped,
            Processed = processed,
            Failed = failures.Count,
            RunCostUsd = runCost,
            AdoptedCostUsd = after.Runs.Count > 0 ? after.Runs[^1].AdoptedCostUsd : 0,
            TotalCostUsd = after.TotalCostUsd,
            EstimatedCostSavedUsd = saved,
            Duration = stopwatch.Elapsed,
            Status = after.StatusValue,
            FailedItems = new Dictionary<string, string>(failures, StringComparer.Ordinal),
            Cancelled = cancelled,
        };

        logger.LogInformation(
            "Stage {Stage} {Status}: {Processed} processed, {Skipped} skipped, {Failed} failed; ${RunCost} paid this run, ${AdoptedCost} adopted from an interrupted run, ${TotalCost} in total ({Duration:0.0} s)",
            definition.StageName, status, processed, skipped, failures.Count,
            runCost.ToString("0.00", CultureInfo.InvariantCulture), result.AdoptedCostUsd.ToString("0.00", CultureInfo.InvariantCulture),
            after.TotalCostUsd.ToString("0.00", CultureInfo.InvariantCulture), stopwatch.Elapsed.TotalSeconds);

        if (stageError is not null)
        {
            throw new StageFailedException(definition.StageName, result, stageError);
        }

        if (cancelled)
        {
            throw new StageCanceledException(definition.StageName, result, cancellationToken);
        }

        return result;
    }

    private sealed record PendingSave<TOutput>(string Key, TOutput Output, decimal CostUsd, byte[] File);

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

/// <summary>Thrown when an item's work fails under <see cref="ItemFailurePolicy.FailStage"/>; completed items are kept.</summary>
public sealed class StageFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StageFailedException(string stageName, StageRunResult result, Exception inner)
        : base($"Stage '{stageName}' failed: {inner.Message} ({result.Processed} item(s) completed in this run are kept; rerun to resume).", inner)
    {
        StageName = stageName;
        Result = result;
    }

    /// <summary>The stage that failed.</summary>
    public string StageName { get; }

    /// <summary>What the run did before it failed.</summary>
    public StageRunResult Result { get; }
}

/// <summary>Thrown when a run is cancelled; completed items are kept and <see cref="Result"/> says what the run did.</summary>
public sealed class StageCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public StageCanceledException(string stageName, StageRunResult result, CancellationToken cancellationToken)
        : base($"Stage '{stageName}' was cancelled; {result.Processed} item(s) completed in this run are kept.", cancellationToken)
    {
        StageName = stageName;
        Result = result;
    }

    /// <summary>The cancelled stage.</summary>
    public string StageName { get; }

    /// <summary>What the run did before it was cancelled.</summary>
    public StageRunResult Result { get; }
}
