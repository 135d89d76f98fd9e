using Checkpointing.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Checkpointing.SharedFiles;

/// <summary>
/// Runs the per-item work of a job whose outputs are rows of one shared file, saved in batches by
/// <see cref="SharedFileBatches{TRow}"/>: resume, failures kept pending, pending rows saved on completion, failure
/// and cancellation.
/// </summary>
public static class SharedFileRunner
{
    /// <summary>Processes the items this run must do and saves their rows in batches.</summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <typeparam name="TRow">The row type.</typeparam>
    /// <param name="items">Every item, in order (item 1 first: <see cref="SharedFileStart.FromItem"/> counts from it).</param>
    /// <param name="getKey">The key of an item (its row's key in the file).</param>
    /// <param name="processAsync">The work for one item: its row.</param>
    /// <param name="format">The file format.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Stops the run; the rows done are saved first, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>What the run did; <see cref="SharedFileRunResult.Status"/> is <see cref="SharedFileRunStatus.Failed"/> when items failed.</returns>
    /// <exception cref="SharedFileSaveException">A batch could not be saved after its retries (the file is its last good version).</exception>
    /// <exception cref="SharedFileMismatchException">The file does not match its checkpoint.</exception>
    /// <exception cref="CheckpointLockedException">Another run holds the checkpoint.</exception>
    public static Task<SharedFileRunResult> RunAsync<TItem, TRow>(
        IEnumerable<TItem> items,
        Func<TItem, string> getKey,
        Func<TItem, ItemContext, CancellationToken, ValueTask<TRow>> processAsync,
        ISharedFileFormat<TRow> format,
        SharedFileOptions options,
        CancellationToken cancellationToken = default) =>
        RunAsync(PhysicalFileSystem.Instance, items, getKey, processAsync, format, options, cancellationToken);

    internal static async Task<SharedFileRunResult> RunAsync<TItem, TRow>(
        IFileSystem fs,
        IEnumerable<TItem> items,
        Func<TItem, string> getKey,
        Func<TItem, ItemContext, CancellationToken, ValueTask<TRow>> processAsync,
        ISharedFileFormat<TRow> format,
        SharedFileOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(getKey);
        ArgumentNullException.ThrowIfNull(processAsync);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDegreeOfParallelism, 1);
        var logger = options.Logger ?? NullLogger.Instance;
        var list = items.ToList();
        var keys = ComputeKeys(list, getKey);
        await using var batches = await SharedFileBatches<TRow>.OpenAsync(fs, format, options, cancellationToken).ConfigureAwait(false);
        var plan = (await batches.PlanAsync(keys, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var work = SelectPlanned(list, keys, plan);

        var batchesBefore = batches.LastBatch;
        var costBefore = batches.Checkpoint.TotalCostUsd;
        var failed = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? stopError = null;
        try
        {
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = stop.Token }, async (entry, ct) =>
            {
                var context = new ItemContext(options.Name, entry.Key, logger);
                TRow row;
                try
                {
                    row = await processAsync(entry.Item, context, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref failed);
                    await batches.MarkFailedAsync(entry.Key, ex.Message, CancellationToken.None).ConfigureAwait(false);
                    if (options.StopOnItemFailure)
                    {
                        Interlocked.CompareExchange(ref stopError, ex, null);
                        await stop.CancelAsync().ConfigureAwait(false);
                    }

                    return;
                }

                await batches.AddAsync(entry.Key, row, context.CostUsd, CancellationToken.None).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopError is null && cancellationToken.IsCancellationRequested)
        {
            // The work done is paid for: save it before reporting the cancellation.
            await batches.EndAsync(SharedFileRunStatus.Cancelled, null, CancellationToken.None).ConfigureAwait(false);
            logger.LogWarning("Run over {File} cancelled: {Completed} items completed", batches.FilePath, batches.Checkpoint.Completed.Count);
            throw;
        }
        catch (OperationCanceledException) when (stopError is not null)
        {
            await batches.EndAsync(SharedFileRunStatus.Failed, $"stopped at the first failed item: {stopError.Message}", CancellationToken.None).ConfigureAwait(false);
            return Result(batches, work.Count, failed, list.Count, batchesBefore, costBefore);
        }
        catch (SharedFileSaveException ex)
        {
            await batches.EndAsync(SharedFileRunStatus.Failed, ex.Message, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await batches.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        return Result(batches, work.Count, failed, list.Count, batchesBefore, costBefore);
    }

    /// <summary>Every item's key, in order; a <paramref name="getKey"/> that throws is reported with the item's position.</summary>
    private static string[] ComputeKeys<TItem>(List<TItem> list, Func<TItem, string> getKey)
    {
        var keys = new string[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            try
            {
                keys[i] = getKey(list[i]);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new ArgumentException($"The key of item {i + 1} could not be computed: {ex.Message}", nameof(getKey), ex);
            }
        }

        return keys;
    }

    /// <summary>The items whose key the plan keeps, in the given order.</summary>
    private static List<(TItem Item, string Key)> SelectPlanned<TItem>(List<TItem> list, string[] keys, HashSet<string> plan)
    {
        var work = new List<(TItem Item, string Key)>(plan.Count);
        for (var i = 0; i < list.Count; i++)
        {
            if (plan.Contains(keys[i]))
            {
                work.Add((list[i], keys[i]));
            }
        }

        return work;
    }

    private static SharedFileRunResult Result<TRow>(SharedFileBatches<TRow> batches, int planned, int failed, int total, int batchesBefore, decimal costBefore)
    {
        var checkpoint = batches.Checkpoint;
        var run = checkpoint.Runs[^1];
        return new SharedFileRunResult(batches.FilePath, run.Status, run.Processed, total - planned, failed, Math.Max(0, checkpoint.Batch - batchesBefore),
            checkpoint.Completed.Count, checkpoint.TotalCostUsd - costBefore, checkpoint.TotalCostUsd, batches.Recovery);
    }
}
