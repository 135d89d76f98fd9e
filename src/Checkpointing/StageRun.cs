using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Checkpointing.Telemetry;
using Checkpointing.Store;

namespace Checkpointing;

/// <summary>
/// One run of a stage once its checkpoint is open and its remaining items are known: it owns the run's
/// workers, savers and tallies. <see cref="StageRunner"/> prepares it; <see cref="ExecuteAsync"/> runs it once.
/// </summary>
/// <remarks>
/// <para>
/// Workers do the work; savers make outputs durable and mark them. The two overlap, so an item's fsyncs are
/// not on its worker's path to the next item, while each item is still saved before it is marked. Savers
/// drain the queue even after a failure or a cancellation: that work is paid for. A kill loses the finished
/// outputs not yet saved, each a paid call: at most one per saver is queued or being saved (a worker with a
/// finished output waits for a slot), so with P workers no more than 2P items (P in work or waiting, P with
/// the savers) are at risk.
/// </para>
/// <para>
/// Threads: the scheduler (<see cref="Admit"/> or <see cref="ClaimAsync"/>) is enumerated by one thread at a
/// time (<see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/>
/// serializes it); up to MaxDegreeOfParallelism workers run <see cref="WorkItemAsync"/> and as many savers run
/// <see cref="SaveLoopAsync"/>. <see cref="FinishAsync"/> runs alone, after all of them are joined. Each
/// mutable field says who writes it and how.
/// </para>
/// </remarks>
internal sealed class StageRun<TItem, TOutput> : IDisposable
{
    private readonly StageDefinition<TItem, TOutput> _definition;
    private readonly StageRunOptions _options;
    private readonly StageCheckpoint _checkpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StageRunPlan<TItem> _plan;
    private readonly Stopwatch _stopwatch;
    private readonly string _stage;
    private readonly KeyValuePair<string, object?> _stageTag;
    private readonly IProgress<StageProgress>? _progress;
    private readonly bool _markDuration = StageTelemetry.MarkDuration.Enabled;

    /// <summary>The shared store's claiming journal; null for a store this run has to itself.</summary>
    private readonly IClaimingCheckpointJournal? _claiming;

    /// <summary>With a budget on a shared store: what the other workers spend, read before each item starts.</summary>
    private readonly ISharedSpendingJournal? _othersSpending;

    // Thread-safe: counts and spending under the tally's own lock (workers, savers and the scheduler use it).
    private readonly StageRunTally _tally;

    // Thread-safe: items given up in this run, key -> error (workers and savers add; read after the join).
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);

    // Thread-safe: claims taken and not yet completed (the scheduler adds, savers remove, the finish releases the rest).
    private readonly ConcurrentDictionary<string, ItemClaim> _claims = new(StringComparer.Ordinal);

    // Scheduler only: keys other workers registered that this one was not given.
    private readonly HashSet<string> _excluded = new(StringComparer.Ordinal);

    // Cancelled by the caller's token, or by the first item failure that stops the stage.
    private readonly CancellationTokenSource _stop;

    // A slot per saver, taken by a worker before it queues an output and freed by the saver that took it; null
    // when the queue is unbounded. The semaphore and the channel are thread-safe.
    private readonly SemaphoreSlim? _saveSlots;
    private readonly Channel<PendingSave> _saves;

    // Interlocked: outputs dropped because their lease expired (savers increment; read after the join).
    private int _leasesLost;

    // Set once, by Interlocked.CompareExchange from any worker or saver (or by the finish, after the join);
    // _stageErrorMessage is written only by the thread that set _stageError, and read after the join.
    private Exception? _stageError;
    private string? _stageErrorMessage;

    // Scheduler only (written while enumerating, read after the join): the budget that stopped the run.
    private decimal? _budgetCap;

    // Scheduler only (written while enumerating, read after the join): why claiming stopped, when the store failed.
    private Exception? _storeError;

    public StageRun(
        StageDefinition<TItem, TOutput> definition, StageRunOptions options, StageCheckpoint checkpoint,
        StageRunPlan<TItem> plan, TimeProvider time, ILogger logger, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        _definition = definition;
        _options = options;
        _checkpoint = checkpoint;
        _plan = plan;
        _time = time;
        _logger = logger;
        _stopwatch = stopwatch;
        _stage = definition.StageName;
        _stageTag = StageTelemetry.StageTag(_stage);
        _progress = options.Progress;
        _claiming = checkpoint.Claiming;
        _tally = new StageRunTally(plan.Order.Count, plan.Skipped, plan.Before, options.CostBudgetUsd, options.TotalCostBudgetUsd);
        _othersSpending = options.CostBudgetUsd is null && options.TotalCostBudgetUsd is null ? null : _claiming as ISharedSpendingJournal;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var saverCount = options.MaxDegreeOfParallelism;
        _saveSlots = options.UnboundedSaveQueue ? null : new SemaphoreSlim(saverCount, saverCount);
        _saves = options.UnboundedSaveQueue
            ? Channel.CreateBounded<PendingSave>(new BoundedChannelOptions(saverCount * 2) { FullMode = BoundedChannelFullMode.Wait })
            : Channel.CreateUnbounded<PendingSave>();
    }

    /// <summary>Runs the remaining items, then records the run's end; throws as <see cref="StageRunner.RunAsync{TItem, TOutput}(StageDefinition{TItem, TOutput}, IEnumerable{TItem}, StageRunOptions, CancellationToken)"/> documents.</summary>
    public async Task<StageRunResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        if (_plan.Skipped > 0)
        {
            StageTelemetry.Skipped.Add(_plan.Skipped, _stageTag);
        }

        // A shared store's budgets cap the stage's spending, all workers together: the baseline of what the others spent.
        if (_othersSpending is not null)
        {
            _tally.OthersSpent(await _othersSpending.ReadOthersSpendingAsync(cancellationToken).ConfigureAwait(false));
        }

        _progress?.Report(_tally.Progress(_stage, null, lastFailed: false));
        var savers = Enumerable.Range(0, _options.MaxDegreeOfParallelism).Select(_ => Task.Run(SaveLoopAsync)).ToArray();
        try
        {
            await ScheduleAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stageError is not null || cancellationToken.IsCancellationRequested)
        {
            // Handled by the finish: a failed item stopped the others, or the caller cancelled.
        }
        finally
        {
            _saves.Writer.TryComplete();
            await Task.WhenAll(savers).ConfigureAwait(false);
        }

        return await FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stop.Dispose();
        _saveSlots?.Dispose();
    }

    // ---- Scheduling: which items the workers take ----

    private Task ScheduleAsync()
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = _stop.Token };
        return _claiming is null
            ? Parallel.ForEachAsync(Admit(), parallel, WorkItemAsync)
            : Parallel.ForEachAsync(ClaimAsync(), parallel, WorkItemAsync);
    }

    /// <summary>A store of its own: the remaining items in order, until a budget is reached.</summary>
    private IEnumerable<string> Admit()
    {
        foreach (var key in _plan.Remaining)
        {
            if (BudgetReached())
            {
                yield break;
            }

            yield return key;
        }
    }

    /// <summary>
    /// A shared store: this worker claims small batches (no larger than the workers, so claims do not sit idle
    /// while other workers wait) until nothing is left, and other workers may take the rest. A store that cannot
    /// be reached stops the claiming, not the items in flight: they finish, and their completions are retried.
    /// </summary>
    private async IAsyncEnumerable<string> ClaimAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var batchSize = Math.Min(_options.MaxDegreeOfParallelism, 16);
        while (!ct.IsCancellationRequested)
        {
            if (BudgetReached())
            {
                yield break;
            }

            IReadOnlyList<ItemClaim> batch;
            try
            {
                batch = await _claiming!.ClaimAsync(batchSize, _excluded, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _storeError = e;
                _logger.LogError(e, "Stage {Stage}: stopped claiming items: {Error}. Completed items are kept in the store; items in flight finish", _stage, e.Message);
                yield break;
            }

            if (batch.Count == 0)
            {
                yield break;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                var claim = batch[i];
                if (!_plan.ByKey.ContainsKey(claim.Key))
                {
                    // Another worker registered a key this one was not given: leave it to them.
                    _excluded.Add(claim.Key);
                    await _claiming.ReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }

                if (_othersSpending is not null && await SharedBudgetReachedAsync(ct).ConfigureAwait(false))
                {
                    foreach (var left in batch.Skip(i))
                    {
                        _claims[left.Key] = left; // released with the other unstarted claims at the end of the run
                    }

                    yield break;
                }

                _claims[claim.Key] = claim;
                yield return claim.Key;
            }
        }
    }

    /// <summary>
    /// The budget check before each new item (scheduler only). Once a budget is reached no new item is taken;
    /// the ones in flight finish and are saved.
    /// </summary>
    private bool BudgetReached()
    {
        if (!_tally.BudgetReached(out var cap))
        {
            return false;
        }

        _budgetCap = cap;
        return true;
    }

    /// <summary>
    /// With a budget on a shared store (scheduler only): reads what the other workers spent, then checks the caps.
    /// A store that cannot say stops the claiming as a failed claim does.
    /// </summary>
    private async ValueTask<bool> SharedBudgetReachedAsync(CancellationToken ct)
    {
        try
        {
            _tally.OthersSpent(await _othersSpending!.ReadOthersSpendingAsync(ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _storeError = e;
            _logger.LogError(e, "Stage {Stage}: stopped claiming items: {Error}. Completed items are kept in the store; items in flight finish", _stage, e.Message);
            return true;
        }

        return BudgetReached();
    }

    // ---- Work: one item on a worker ----

    private async ValueTask WorkItemAsync(string key, CancellationToken ct)
    {
        var item = new ItemRun(key, new ItemContext(_stage, key, _logger), StageTelemetry.StartItem(_stage, _options.RunId, key), ct);
        StageTelemetry.InFlight.Add(1, _stageTag);
        try
        {
            var output = _options.ItemPipeline is not { } pipeline
                ? await AttemptAsync(item, ct).ConfigureAwait(false)
                : await pipeline.ExecuteAsync(static (state, ct) => state.Run.AttemptAsync(state.Item, ct), (Run: this, Item: item), ct).ConfigureAwait(false);
            await QueueSaveAsync(item, output).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await RecordCancelledCostAsync(item).ConfigureAwait(false);
            StageTelemetry.InFlight.Add(-1, _stageTag);
            StageTelemetry.EndItem(item.Activity, "cancelled", item.Context.Attempt, item.Context.CostUsd, null);
            throw;
        }
        catch (Exception e)
        {
            var unrecorded = item.Context.CostUsd - item.RecordedCost;
            _tally.AddSpent(unrecorded);
            AddCostMetric(unrecorded);
            await FailItemAsync(item, e, unrecorded).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One attempt of an item's work, run directly or inside the user's resilience pipeline. A failed attempt's
    /// cost is journaled before the pipeline decides what to do next: a retry, or a crash during its backoff,
    /// must not lose money already spent.
    /// </summary>
    private async ValueTask<TOutput> AttemptAsync(ItemRun item, CancellationToken ct)
    {
        var attempt = item.Context.StartAttempt();
        if (attempt > 1)
        {
            StageTelemetry.Retried.Add(1, _stageTag);
        }

        var costBefore = item.Context.CostUsd;
        try
        {
            var output = await _definition.ProcessAsync(_plan.ByKey[item.Key], item.Context, ct).ConfigureAwait(false);
            if (output is null)
            {
                throw new InvalidDataException($"The work for item '{item.Key}' returned null.");
            }

            if (_definition.Validate?.Invoke(output) is { Count: > 0 } errors)
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

    /// <summary>Counts the finished work and hands its output to a saver; not cancellable, so finished work is always saved.</summary>
    private async ValueTask QueueSaveAsync(ItemRun item, TOutput output)
    {
        var cost = item.Context.CostUsd - item.RecordedCost;
        _tally.WorkSucceeded(cost);
        AddCostMetric(cost);
        var file = StageOutputFile.Serialize(item.Key, output, cost, _time.GetUtcNow(), _definition.OutputTypeInfo);
        if (_saveSlots is not null)
        {
            await _saveSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _saves.Writer.WriteAsync(new PendingSave(item, output, cost, file), CancellationToken.None).ConfigureAwait(false);
    }

    private async ValueTask RecordAttemptAsync(ItemRun item, int attempt, decimal cost, string error)
    {
        await _checkpoint.MarkAttemptFailedAsync(item.Key, attempt, cost, error, CancellationToken.None).ConfigureAwait(false);
        item.RecordedCost += cost;
        _tally.AddSpent(cost);
        _tally.AttemptFailed();
        AddCostMetric(cost);
    }

    /// <summary>An attempt cut short by the cancellation may still have spent money: keep it.</summary>
    private async ValueTask RecordCancelledCostAsync(ItemRun item)
    {
        var unrecorded = item.Context.CostUsd - item.RecordedCost;
        if (unrecorded <= 0)
        {
            return;
        }

        try
        {
            await RecordAttemptAsync(item, item.Context.Attempt, unrecorded, "cancelled before it finished").ConfigureAwait(false);
        }
        catch (Exception journalError) when (journalError is IOException or UnauthorizedAccessException)
        {
            // The run is stopping anyway; the cancellation, not the journal, is what the caller sees.
            _logger.LogError(journalError, "Stage {Stage}: could not record the cost of the cancelled item {Key}: {Error}", _stage, item.Key, journalError.Message);
        }
    }

    // ---- Save and mark: on the savers ----

    private async Task SaveLoopAsync()
    {
        await foreach (var pending in _saves.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                if (_claiming is not null)
                {
                    await CompleteClaimedAsync(pending).ConfigureAwait(false);
                }
                else
                {
                    await SaveAndMarkAsync(pending).ConfigureAwait(false);
                }
            }
            finally
            {
                _saveSlots?.Release();
            }
        }
    }

    /// <summary>A store of its own: the output file is made durable, its save hook runs, then the item is marked.</summary>
    private async ValueTask SaveAndMarkAsync(PendingSave pending)
    {
        var saved = false;
        try
        {
            await _checkpoint.SaveOutputAsync(pending.Item.Key, pending.File, CancellationToken.None).ConfigureAwait(false);
            saved = true;
            if (_definition.OnOutputSavedAsync is { } onSaved)
            {
                await onSaved(pending.Item.Key, pending.Output, CancellationToken.None).ConfigureAwait(false);
            }

            await MarkAsync(pending).ConfigureAwait(false);
            ItemCompleted(pending.Item);
        }
        catch (Exception e)
        {
            // The work was paid for but is not marked. A durable output carries its cost and is adopted by
            // the next run; otherwise the cost goes with the failure record. Never both.
            await FailItemAsync(pending.Item, e, saved ? 0m : pending.CostUsd).ConfigureAwait(false);
        }
    }

    private async ValueTask MarkAsync(PendingSave pending)
    {
        var markStarted = _markDuration ? Stopwatch.GetTimestamp() : 0;
        await _checkpoint.MarkCompletedAsync(pending.Item.Key, pending.CostUsd, pending.Item.Context.Attempt, CancellationToken.None).ConfigureAwait(false);
        RecordMarkDuration(markStarted);
    }

    /// <summary>
    /// A shared store: the output is stored with the completion, fenced by the lease, then copied to its file.
    /// A lost lease means another worker owns the item now: this worker's work is dropped, its cost kept.
    /// </summary>
    private async ValueTask CompleteClaimedAsync(PendingSave pending)
    {
        try
        {
            var key = pending.Item.Key;
            _claims.TryRemove(key, out var claim);
            var markStarted = _markDuration ? Stopwatch.GetTimestamp() : 0;
            if (!await _checkpoint.CompleteClaimedAsync(claim, pending.File, pending.CostUsd, pending.Item.Context.Attempt, CancellationToken.None).ConfigureAwait(false))
            {
                await DropLostLeaseAsync(pending).ConfigureAwait(false);
                return;
            }

            RecordMarkDuration(markStarted);
            await RunSaveHookOfStoredAsync(key, pending.Output).ConfigureAwait(false);
            ItemCompleted(pending.Item);
        }
        catch (Exception e)
        {
            // The store keeps nothing of this output: its cost goes with the failure record.
            await FailItemAsync(pending.Item, e, pending.CostUsd).ConfigureAwait(false);
        }
    }

    private async ValueTask DropLostLeaseAsync(PendingSave pending)
    {
        Interlocked.Increment(ref _leasesLost);
        _logger.LogWarning(
            "Stage {Stage}: the lease on item {Key} expired and another worker claimed it; this worker's output is dropped and its cost (${Cost}) kept as a failed attempt",
            _stage, pending.Item.Key, pending.CostUsd.ToString("0.0000", CultureInfo.InvariantCulture));
        await _checkpoint.MarkAttemptFailedAsync(pending.Item.Key, pending.Item.Context.Attempt, pending.CostUsd, "lease lost: another worker claimed the item", CancellationToken.None).ConfigureAwait(false);
        StageTelemetry.InFlight.Add(-1, _stageTag);
        StageTelemetry.EndItem(pending.Item.Activity, "lease_lost", pending.Item.Context.Attempt, pending.Item.Context.CostUsd, null);
    }

    /// <summary>The item is complete in the store, its output stored and copied: a failing hook is only logged.</summary>
    private async ValueTask RunSaveHookOfStoredAsync(string key, TOutput output)
    {
        if (_definition.OnOutputSavedAsync is not { } onSaved)
        {
            return;
        }

        try
        {
            await onSaved(key, output, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Stage {Stage}: item {Key} is complete but its save hook failed: {Error}", _stage, key, e.Message);
        }
    }

    private void RecordMarkDuration(long markStarted)
    {
        if (_markDuration)
        {
            StageTelemetry.MarkDuration.Record(Stopwatch.GetElapsedTime(markStarted).TotalSeconds, _stageTag);
        }
    }

    private void ItemCompleted(ItemRun item)
    {
        StageTelemetry.Processed.Add(1, _stageTag);
        StageTelemetry.InFlight.Add(-1, _stageTag);
        StageTelemetry.EndItem(item.Activity, "completed", item.Context.Attempt, item.Context.CostUsd, null);
        var report = _tally.Completed(_stage, item.Key);
        _progress?.Report(report);
    }

    // ---- Failure: from a worker or a saver ----

    /// <summary>
    /// Gives an item up in this run and records why; under <see cref="ItemFailurePolicy.FailStage"/>, or when the
    /// checkpoint cannot be written, stops the stage. Never throws: workers and savers rely on it.
    /// </summary>
    private async ValueTask FailItemAsync(ItemRun item, Exception error, decimal unrecordedCost)
    {
        var message = $"{error.GetType().Name}: {error.Message}";
        _failures[item.Key] = message;
        _tally.ItemFailed();
        StageTelemetry.Failed.Add(1, _stageTag);
        StageTelemetry.InFlight.Add(-1, _stageTag);
        StageTelemetry.EndItem(item.Activity, "failed", item.Context.Attempt, item.Context.CostUsd, message);
        _logger.LogError(error, "Stage {Stage}: item {Key} failed: {Error}", _stage, item.Key, message);
        var fatal = false;
        try
        {
            await _checkpoint.MarkItemFailedAsync(item.Key, message, unrecordedCost, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception journalError)
        {
            // The checkpoint itself cannot be written (e.g. the disk is full): nothing more can be recorded.
            _logger.LogError(journalError, "Stage {Stage}: could not record the failure of item {Key}: {Error}", _stage, item.Key, journalError.Message);
            fatal = true;
        }

        if (fatal || _options.ItemFailurePolicy == ItemFailurePolicy.FailStage)
        {
            SetStageError(error, $"Item '{item.Key}' failed: {message}");
            await _stop.CancelAsync().ConfigureAwait(false);
            return;
        }

        _progress?.Report(_tally.Progress(_stage, item.Key, lastFailed: true));
    }

    /// <summary>The first error that stops the stage wins; later ones are only logged where they happen.</summary>
    private void SetStageError(Exception error, string message)
    {
        if (Interlocked.CompareExchange(ref _stageError, error, null) is null)
        {
            _stageErrorMessage = message;
        }
    }

    private void AddCostMetric(decimal cost)
    {
        if (cost > 0)
        {
            StageTelemetry.Cost.Add((double)cost, _stageTag);
        }
    }

    // ---- Finish: alone, after the workers and savers are joined ----

    private async Task<StageRunResult> FinishAsync(CancellationToken cancellationToken)
    {
        if (_storeError is not null)
        {
            SetStageError(_storeError, $"The checkpoint store cannot be reached: {_storeError.Message}");
        }

        if (_claiming is not null)
        {
            await ReleaseUnstartedClaimsAsync(_claiming).ConfigureAwait(false);
        }

        var cancelled = _stageError is null && cancellationToken.IsCancellationRequested;
        var estimate = _tally.EstimatedCostToFinish();
        var (status, error) = Outcome(cancelled);
        await RecordEndAsync(status, error, estimate).ConfigureAwait(false);
        var result = BuildResult(ReadStateAfter(), cancelled, estimate);
        LogEnd(status, result);
        if (_stageError is not null)
        {
            throw new StageFailedException(_stage, result, _stageError);
        }

        if (cancelled)
        {
            throw new StageCanceledException(_stage, result, cancellationToken);
        }

        if (status == RunStatus.BudgetExceeded)
        {
            throw new StageBudgetExceededException(_stage, result, _budgetCap!.Value, error!);
        }

        return result;
    }

    /// <summary>Claims taken but never started (a stop or a failure ended the run) go back at once.</summary>
    private async ValueTask ReleaseUnstartedClaimsAsync(IClaimingCheckpointJournal claiming)
    {
        foreach (var claim in _claims.Values)
        {
            try
            {
                await claiming.ReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException)
            {
                _logger.LogDebug(e, "Stage {Stage}: could not release the claim on {Key}; its lease will expire", _stage, claim.Key);
            }
        }

        if (_leasesLost > 0)
        {
            _logger.LogWarning("Stage {Stage}: {Count} item(s) were lost to other workers after their leases expired (a stall longer than the lease?)", _stage, _leasesLost);
        }
    }

    /// <summary>The run's status and error, in order of precedence: a stage error, a cancellation, the budget, failed items.</summary>
    private (RunStatus Status, string? Error) Outcome(bool cancelled)
    {
        if (_stageError is not null)
        {
            return (RunStatus.Failed, _stageErrorMessage);
        }

        if (cancelled)
        {
            return (RunStatus.Cancelled, "The run was cancelled before it processed every item.");
        }

        if (_budgetCap is { } cap && _tally.Processed + _plan.Skipped + _failures.Count < _plan.Order.Count)
        {
            var message = _tally.BudgetMessage(cap);
            _logger.LogWarning("Stage {Stage}: {Budget}", _stage, message);
            return (RunStatus.BudgetExceeded, message);
        }

        if (!_failures.IsEmpty)
        {
            return (RunStatus.Failed, $"{_failures.Count} item(s) failed and will be retried on the next run: {string.Join(", ", _failures.Keys.Order(StringComparer.Ordinal).Take(10))}");
        }

        return (RunStatus.Completed, null);
    }

    private async ValueTask RecordEndAsync(RunStatus status, string? error, decimal? estimate)
    {
        try
        {
            await _checkpoint.EndRunAsync(status, error, _plan.Skipped, estimate, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (_stageError is not null && e is IOException or UnauthorizedAccessException)
        {
            // Recording the end failed for the same reason the run failed; report the original error.
            _logger.LogError(e, "Stage {Stage}: could not record the end of the run: {Error}", _stage, e.Message);
        }
    }

    private StageCheckpointDocument ReadStateAfter()
    {
        try
        {
            return _checkpoint.GetState();
        }
        catch (IOException e) when (_stageError is not null)
        {
            // A shared store that cannot be reached cannot be read either: report the run from what it knows.
            _logger.LogError(e, "Stage {Stage}: could not read the checkpoint after the run: {Error}", _stage, e.Message);
            return _plan.Before;
        }
    }

    private StageRunResult BuildResult(StageCheckpointDocument after, bool cancelled, decimal? estimate) => new()
    {
        StageName = _stage,
        Total = _plan.Order.Count,
        Skipped = _plan.Skipped,
        Processed = _tally.Processed,
        Failed = _failures.Count,
        RunCostUsd = _tally.Spent,
        AdoptedCostUsd = after.Runs.Count > 0 ? after.Runs[^1].AdoptedCostUsd : 0,
        TotalCostUsd = after.TotalCostUsd,
        EstimatedCostSavedUsd = _plan.EstimatedCostSavedUsd,
        Duration = _stopwatch.Elapsed,
        Status = after.Status,
        FailedItems = new Dictionary<string, string>(_failures, StringComparer.Ordinal),
        Cancelled = cancelled,
        EstimatedCostToFinishUsd = estimate,
        FailedAttempts = _tally.FailedAttempts,
        RedoneKeys = _plan.Redo,
    };

    private void LogEnd(RunStatus status, StageRunResult result) =>
        _logger.LogInformation(
            "Stage {Stage} {Status}: {Processed} processed, {Skipped} skipped, {Failed} failed; ${RunCost} paid this run, ${AdoptedCost} adopted from an interrupted run, ${TotalCost} in total ({Duration:0.0} s)",
            _stage, StatusNames.Of(status), result.Processed, result.Skipped, result.Failed,
            Usd(result.RunCostUsd), Usd(result.AdoptedCostUsd), Usd(result.TotalCostUsd), result.Duration.TotalSeconds);

    private static string Usd(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>One item on its way through the run: its context across attempts, its activity, and the cost already journaled.</summary>
    /// <remarks>Used by one worker at a time, then by one saver: no two threads touch it at once.</remarks>
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

    private sealed record PendingSave(ItemRun Item, TOutput Output, decimal CostUsd, byte[] File);
}
