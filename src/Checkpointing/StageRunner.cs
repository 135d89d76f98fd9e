using System.Diagnostics;
using System.Globalization;
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
        ValidateArguments(definition, items, options);
        var logger = options.Logger ?? NullLogger.Instance;
        var stopwatch = Stopwatch.StartNew();

        // Keys are computed (and validated) before anything is opened: a bad key fails fast, naming it.
        var (order, byKey) = IndexItems(definition, items, logger);
        var redo = ResolveRedoKeys(definition.StageName, options.RedoKeys, order, byKey);
        await using var saveHook = await OpenSaveHookAsync(definition, options, cancellationToken).ConfigureAwait(false);
        definition = saveHook is null ? definition : definition.WithSaveHook(saveHook);
        await using var checkpoint = await OpenCheckpointAsync(definition, options, logger, fs, time, cancellationToken).ConfigureAwait(false);
        var plan = await BeginAsync(checkpoint, options, order, byKey, redo, logger, cancellationToken).ConfigureAwait(false);
        using var run = new StageRun<TItem, TOutput>(definition, options, checkpoint, plan, time, logger, stopwatch, cancellationToken);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The definition's save hook for this run, or null (opened before the checkpoint: adopting an output runs it).</summary>
    private static async ValueTask<IStageSaveHook<TOutput>?> OpenSaveHookAsync<TItem, TOutput>(
        StageDefinition<TItem, TOutput> definition, StageRunOptions options, CancellationToken cancellationToken)
    {
        if (definition.OpenSaveHookAsync is not { } open)
        {
            return null;
        }

        var context = new StageSaveHookContext<TOutput>(options, definition.StageName, definition.EffectiveOutputDirectory, definition.OutputTypeInfo);
        return await open(context, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Stage '{definition.StageName}': OpenSaveHookAsync returned null.");
    }

    private static void ValidateArguments<TItem, TOutput>(StageDefinition<TItem, TOutput> definition, IEnumerable<TItem> items, StageRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDegreeOfParallelism, 1, nameof(options.MaxDegreeOfParallelism));
        ThrowIfNegative(options.CostBudgetUsd, nameof(options.CostBudgetUsd));
        ThrowIfNegative(options.TotalCostBudgetUsd, nameof(options.TotalCostBudgetUsd));
    }

    /// <summary>The items by validated key, and the distinct keys in the items' order; a repeated key is processed once.</summary>
    private static (List<string> Order, Dictionary<string, TItem> ByKey) IndexItems<TItem, TOutput>(
        StageDefinition<TItem, TOutput> definition, IEnumerable<TItem> items, ILogger logger)
    {
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

        return (order, byKey);
    }

    private static Task<StageCheckpoint> OpenCheckpointAsync<TItem, TOutput>(
        StageDefinition<TItem, TOutput> definition, StageRunOptions options, ILogger logger, IFileSystem fs, TimeProvider time, CancellationToken cancellationToken)
    {
        var typeInfo = definition.OutputTypeInfo;
        return StageCheckpoint.OpenAsync(
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
                ItemType = $"{typeof(TItem).FullName} -> {typeof(TOutput).FullName}",
                InspectOutput = (key, bytes) => InspectOutput(definition, key, bytes),

                // An output saved but never marked may have missed its save hook (e.g. its cumulative CSV row).
                BeforeAdoptAsync = definition.OnOutputSavedAsync is { } onSaved
                    ? async (key, bytes, ct) => await onSaved(key, StageOutputFile.Deserialize(bytes, typeInfo).Output, ct).ConfigureAwait(false)
                    : null,
            },
            fs, time, cancellationToken);
    }

    /// <summary>Records the run's start, then finds what is left to do (complete items named for redo join it, in the run's order).</summary>
    private static async Task<StageRunPlan<TItem>> BeginAsync<TItem>(
        StageCheckpoint checkpoint, StageRunOptions options, List<string> order, Dictionary<string, TItem> byKey, IReadOnlyList<string> redo,
        ILogger logger, CancellationToken cancellationToken)
    {
        var stage = checkpoint.StageName;
        await checkpoint.BeginRunCoreAsync(options.Resume, order.Count, redo, options.RedoReason, cancellationToken).ConfigureAwait(false);
        var remaining = await checkpoint.GetRemainingAsync(order, options.ValidateOutputsOnResume, cancellationToken).ConfigureAwait(false);
        if (redo.Count > 0)
        {
            var todo = new HashSet<string>(remaining, StringComparer.Ordinal);
            todo.UnionWith(redo);
            remaining = order.Where(todo.Contains).ToList();
            logger.LogInformation("Stage {Stage}: redoing {Count} complete item(s) ({Keys}): {Reason}", stage, redo.Count, string.Join(", ", redo), options.RedoReason ?? "no reason given");
        }

        var plan = new StageRunPlan<TItem>(order, byKey, remaining, redo, checkpoint.GetState());
        if (plan.Skipped > 0)
        {
            logger.LogInformation(
                "Resuming: {Skipped} items completed, ~${Saved} saved ({Stage}: {Remaining} of {Total} to process)",
                plan.Skipped, plan.EstimatedCostSavedUsd.ToString("0.00", CultureInfo.InvariantCulture), stage, remaining.Count, order.Count);
        }
        else
        {
            logger.LogInformation("Stage {Stage}: processing {Count} items", stage, remaining.Count);
        }

        return plan;
    }

    private static void ThrowIfNegative(decimal? value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "A cost budget cannot be negative.");
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
