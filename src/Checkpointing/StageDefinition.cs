using System.Text.Json.Serialization.Metadata;

namespace Checkpointing;

/// <summary>
/// Everything <see cref="StageRunner"/> needs to know about a stage: its name and folders, the key of an
/// item, the per-item work, how outputs are serialized and how they are validated. The
/// <c>[Checkpointed]</c> generator builds one; it can also be written by hand.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <typeparam name="TOutput">The output type, saved as <c>&lt;key&gt;.json</c>.</typeparam>
public sealed class StageDefinition<TItem, TOutput>
{
    /// <summary>The stage name: the checkpoint is <c>&lt;root&gt;/&lt;runId&gt;/checkpoints/&lt;name&gt;.json</c>.</summary>
    public required string StageName { get; init; }

    /// <summary>The outputs' folder under <c>&lt;root&gt;/&lt;runId&gt;/</c>; defaults to <see cref="StageName"/>.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>The key of an item (see <see cref="CheckpointKeys"/>); validated before use.</summary>
    public required Func<TItem, string> GetKey { get; init; }

    /// <summary>The work for one item.</summary>
    public required Func<TItem, ItemContext, CancellationToken, ValueTask<TOutput>> ProcessAsync { get; init; }

    /// <summary>How outputs are serialized: from a <c>JsonSerializerContext</c> for trim/AOT safety, or reflection-based.</summary>
    public required JsonTypeInfo<TOutput> OutputTypeInfo { get; init; }

    /// <summary>
    /// Validates an output; returns its errors (none when valid). Used before saving and on resume, where
    /// an output that fails is redone.
    /// </summary>
    public Func<TOutput, IReadOnlyList<string>>? Validate { get; init; }

    /// <summary>
    /// Called after an output is durably saved and before its item is marked complete (e.g. to append
    /// the row to a cumulative CSV). If it throws, the item is not marked.
    /// </summary>
    public Func<string, TOutput, CancellationToken, ValueTask>? OnOutputSavedAsync { get; init; }

    /// <summary>
    /// Opens a save hook at the start of each run, disposed at its end; each saved output goes through it after
    /// <see cref="OnOutputSavedAsync"/>, with the same rule (if it throws, the item is not marked). The
    /// <c>[Checkpointed]</c> generator sets it when the stage class implements <see cref="IStageSaveHookSource{TOutput}"/>.
    /// </summary>
    public Func<StageSaveHookContext<TOutput>, CancellationToken, ValueTask<IStageSaveHook<TOutput>>>? OpenSaveHookAsync { get; init; }

    /// <summary>This definition with <paramref name="hook"/> run after <see cref="OnOutputSavedAsync"/>.</summary>
    internal StageDefinition<TItem, TOutput> WithSaveHook(IStageSaveHook<TOutput> hook)
    {
        var first = OnOutputSavedAsync;
        return new StageDefinition<TItem, TOutput>
        {
            StageName = StageName,
            OutputDirectory = OutputDirectory,
            GetKey = GetKey,
            ProcessAsync = ProcessAsync,
            OutputTypeInfo = OutputTypeInfo,
            Validate = Validate,
            OnOutputSavedAsync = first is null
                ? hook.OnOutputSavedAsync
                : async (key, output, ct) =>
                {
                    await first(key, output, ct).ConfigureAwait(false);
                    await hook.OnOutputSavedAsync(key, output, ct).ConfigureAwait(false);
                },
        };
    }

    internal string EffectiveOutputDirectory => string.IsNullOrEmpty(OutputDirectory) ? StageName : OutputDirectory!;
}
