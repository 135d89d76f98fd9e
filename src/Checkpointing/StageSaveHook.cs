using System.Text.Json.Serialization.Metadata;

namespace Checkpointing;

/// <summary>
/// What a stage's saved outputs go through, for one run, after each output is durably saved and before its item is
/// marked complete: a cumulative CSV (the <c>Checkpointing.Lsi</c> package's <c>[CumulativeCsv]</c>), a search
/// index, a manifest. If <see cref="OnOutputSavedAsync"/> throws, the item is not marked and the next run redoes it;
/// an output adopted on resume (saved by a run killed before its mark) goes through the hook again first, so a
/// hook must accept the same output twice (replace, not duplicate).
/// </summary>
/// <typeparam name="TOutput">The stage's output type.</typeparam>
public interface IStageSaveHook<in TOutput> : IAsyncDisposable
{
    /// <summary>Called with each output once it is durably saved, before its item is marked complete.</summary>
    /// <param name="key">The item's key.</param>
    /// <param name="output">The saved output.</param>
    /// <param name="cancellationToken">Not the run's token: the runner passes <see cref="CancellationToken.None"/> so that
    /// an output saved as Ctrl+C arrives is still handed over.</param>
    ValueTask OnOutputSavedAsync(string key, TOutput output, CancellationToken cancellationToken);
}

/// <summary>
/// Declares a stage's save hook: a <c>[Checkpointed]</c> class that implements it (by hand, or through a generator
/// such as <c>[CumulativeCsv]</c>) has <see cref="OpenSaveHookAsync"/> called by <see cref="StageRunner"/> at the
/// start of each run, and the hook disposed at its end (see <see cref="StageDefinition{TItem, TOutput}.OpenSaveHookAsync"/>).
/// </summary>
/// <typeparam name="TOutput">The stage's output type.</typeparam>
public interface IStageSaveHookSource<TOutput>
{
    /// <summary>Opens the hook of one run.</summary>
    /// <param name="context">The run's options and where the stage keeps its outputs.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    ValueTask<IStageSaveHook<TOutput>> OpenSaveHookAsync(StageSaveHookContext<TOutput> context, CancellationToken cancellationToken);
}

/// <summary>The run a save hook is opened for, and where its stage keeps its outputs.</summary>
/// <typeparam name="TOutput">The stage's output type.</typeparam>
public sealed class StageSaveHookContext<TOutput>
{
    internal StageSaveHookContext(StageRunOptions options, string stageName, string outputDirectory, JsonTypeInfo<TOutput> outputTypeInfo)
    {
        Options = options;
        StageName = stageName;
        OutputDirectory = outputDirectory;
        OutputTypeInfo = outputTypeInfo;
    }

    /// <summary>The run's options: root, run id, logger, whether it resumes.</summary>
    public StageRunOptions Options { get; }

    /// <summary>The stage name.</summary>
    public string StageName { get; }

    /// <summary>The outputs' folder under <c>&lt;root&gt;/&lt;runId&gt;/</c> (the stage name unless the stage names one).</summary>
    public string OutputDirectory { get; }

    /// <summary>How the stage's outputs are serialized, to read saved outputs back.</summary>
    public JsonTypeInfo<TOutput> OutputTypeInfo { get; }
}
