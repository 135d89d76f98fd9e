using Checkpointing.Phases;
using Checkpointing.SharedFiles;
using Microsoft.Extensions.Logging;

namespace Checkpointing.Hosting;

/// <summary>
/// Builds the options of phase snapshots and shared-file batches from the <c>Checkpointing</c> settings
/// (sections <c>Checkpointing:Phases:&lt;phase&gt;</c> and <c>Checkpointing:SharedFiles:&lt;name&gt;</c>), with the
/// host's <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/>. Registered as a singleton by <c>AddCheckpointing</c>.
/// </summary>
/// <example>
/// <code>
/// await using var phase = await PhaseCheckpoint&lt;State&gt;.OpenAsync(factory.CreatePhaseOptions("index"), cancellationToken);
/// </code>
/// </example>
public sealed class CheckpointOptionsFactory
{
    private readonly CheckpointingOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;

    internal CheckpointOptionsFactory(CheckpointingOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _time = timeProvider;
    }

    /// <summary>
    /// The options of <paramref name="phase"/>'s snapshots: its <c>Checkpointing:Phases:&lt;phase&gt;</c> section over the
    /// defaults of <see cref="PhaseCheckpointOptions"/>, under <c>Checkpointing:Root</c> unless the section sets <c>Root</c>.
    /// </summary>
    /// <param name="phase">The phase name (names the folder and the logger category <c>Checkpointing.Phases.&lt;phase&gt;</c>).</param>
    public PhaseCheckpointOptions CreatePhaseOptions(string phase)
    {
        ArgumentException.ThrowIfNullOrEmpty(phase);
        var defaults = new PhaseCheckpointOptions { Phase = phase };
        var settings = _options.Phases?.GetValueOrDefault(phase) ?? new PhaseSettings();
        return defaults with
        {
            Root = settings.Root ?? _options.Root,
            MinSaveInterval = settings.MinSaveInterval ?? defaults.MinSaveInterval,
            Ttl = settings.Ttl ?? defaults.Ttl,
            MaxSnapshots = settings.MaxSnapshots ?? defaults.MaxSnapshots,
            Logger = _loggerFactory.CreateLogger("Checkpointing.Phases." + phase),
            TimeProvider = _time,
        };
    }

    /// <summary>
    /// The options of the shared file checkpointed as <paramref name="name"/>: its <c>Checkpointing:SharedFiles:&lt;name&gt;</c>
    /// section (batch policy and file name) under <c>Checkpointing:Root</c>; the other settings keep the defaults of
    /// <see cref="SharedFileOptions"/> and can be changed with <c>with</c>.
    /// </summary>
    /// <param name="name">The checkpoint's name (names the logger category <c>Checkpointing.SharedFiles.&lt;name&gt;</c>).</param>
    /// <param name="runId">The run id; defaults to <c>Checkpointing:RunId</c>.</param>
    /// <param name="fileName">The shared file; defaults to <c>Checkpointing:SharedFiles:&lt;name&gt;:FileName</c>.</param>
    /// <exception cref="InvalidOperationException">No run id or no file name is given or configured.</exception>
    public SharedFileOptions CreateSharedFileOptions(string name, string? runId = null, string? fileName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        const string prefix = CheckpointingOptions.SectionName + ":";
        var effectiveRunId = runId ?? _options.RunId;
        if (string.IsNullOrEmpty(effectiveRunId))
        {
            throw new InvalidOperationException($"Shared file '{name}' has no run id: pass one or set {prefix}RunId.");
        }

        var settings = _options.SharedFiles?.GetValueOrDefault(name) ?? new SharedFileSettings();
        var effectiveFileName = fileName ?? settings.FileName;
        if (string.IsNullOrEmpty(effectiveFileName))
        {
            throw new InvalidOperationException($"Shared file '{name}' has no file name: pass one or set {prefix}SharedFiles:{name}:FileName.");
        }

        return new SharedFileOptions
        {
            Root = _options.Root,
            RunId = effectiveRunId,
            Name = name,
            FileName = effectiveFileName,
            Policy = OptionValues.GetBatchPolicy(settings),
            Logger = _loggerFactory.CreateLogger("Checkpointing.SharedFiles." + name),
            TimeProvider = _time,
        };
    }
}
