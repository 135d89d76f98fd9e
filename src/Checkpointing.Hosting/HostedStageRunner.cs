using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Checkpointing.Store;

namespace Checkpointing.Hosting;

/// <summary>
/// Runs stages with the host's settings and services: the defaults bound from <c>Checkpointing</c>, the
/// selected checkpoint store, the host's <see cref="ILoggerFactory"/> (category <c>Checkpointing.Stages.&lt;stage&gt;</c>)
/// and <see cref="TimeProvider"/>, and the <see cref="StageMonitor"/> that the health check reads.
/// Registered as a singleton by <c>AddCheckpointing</c>.
/// </summary>
/// <example>
/// <code>
/// var result = await runner.RunAsync(ocrStage.CreateDefinition(), pages, cancellationToken: stoppingToken);
/// </code>
/// </example>
public sealed class HostedStageRunner
{
    private readonly CheckpointingOptions _options;
    private readonly ICheckpointStore _store;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly StageMonitor _monitor;

    internal HostedStageRunner(CheckpointingOptions options, ICheckpointStore store, ILoggerFactory loggerFactory, TimeProvider timeProvider, StageMonitor monitor)
    {
        _options = options;
        _store = store;
        _loggerFactory = loggerFactory;
        _time = timeProvider;
        _monitor = monitor;
    }

    /// <summary>
    /// The options of a run of <paramref name="stageName"/> as configured (the defaults, then the stage's
    /// <c>Checkpointing:Stages:&lt;stage&gt;</c> section): what <see cref="RunAsync"/> passes
    /// to <see cref="StageRunner"/>, for code that drives <see cref="StageRunner"/> or a generated
    /// <c>RunAsync</c> itself.
    /// </summary>
    /// <param name="stageName">The stage's name (names the logger category).</param>
    /// <param name="runId">The run id; defaults to <c>Checkpointing:RunId</c>.</param>
    /// <param name="progress">Also receives each progress report.</param>
    /// <exception cref="InvalidOperationException">No run id is given or configured.</exception>
    public StageRunOptions CreateRunOptions(string stageName, string? runId = null, IProgress<StageProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stageName);
        var effectiveRunId = runId ?? _options.RunId;
        if (string.IsNullOrEmpty(effectiveRunId))
        {
            throw new InvalidOperationException(
                $"Stage '{stageName}' has no run id: pass one to RunAsync or set {CheckpointingOptions.SectionName}:RunId.");
        }

        var settings = RunSettings.For(_options, stageName);
        return new StageRunOptions
        {
            Root = _options.Root,
            RunId = effectiveRunId,
            Resume = settings.Resume,
            MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
            CommitPolicy = OptionValues.GetCommitPolicy(settings),
            ItemFailurePolicy = OptionValues.GetItemFailurePolicy(settings),
            ValidateOutputsOnResume = settings.ValidateOutputsOnResume,
            StrictCheckpoint = settings.StrictCheckpoint,
            Store = _store,
            TimeProvider = _time,
            Logger = _loggerFactory.CreateLogger("Checkpointing.Stages." + stageName),
            Progress = new MonitorProgress(_monitor, effectiveRunId, stageName, progress),
        };
    }

    /// <summary>
    /// Runs <paramref name="definition"/> (e.g. a <c>[Checkpointed]</c> stage's <c>CreateDefinition()</c>) over
    /// <paramref name="items"/> with the configured options. Cancelling <paramref name="cancellationToken"/>
    /// (in a hosted job: the host stopping) ends the run as <c>cancelled</c> with every finished item kept.
    /// </summary>
    /// <param name="definition">The stage.</param>
    /// <param name="items">The items of the run.</param>
    /// <param name="runId">The run id; defaults to <c>Checkpointing:RunId</c>.</param>
    /// <param name="progress">Also receives each progress report.</param>
    /// <param name="cancellationToken">Stops the run cleanly.</param>
    /// <exception cref="CheckpointLockedException">Another run holds the stage.</exception>
    /// <exception cref="StageCanceledException">The run was cancelled; completed items stay completed.</exception>
    /// <exception cref="StageFailedException">An item failed under <see cref="ItemFailurePolicy.FailStage"/>.</exception>
    public Task<StageRunResult> RunAsync<TItem, TOutput>(
        StageDefinition<TItem, TOutput> definition, IEnumerable<TItem> items, string? runId = null,
        IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return StageRunner.RunAsync(definition, items, CreateRunOptions(definition.StageName, runId, progress), cancellationToken);
    }

    private sealed class MonitorProgress(StageMonitor monitor, string runId, string stageName, IProgress<StageProgress>? next) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            monitor.Report(runId, stageName, value);
            next?.Report(value);
        }
    }
}
