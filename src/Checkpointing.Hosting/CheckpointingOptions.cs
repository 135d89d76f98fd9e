using Microsoft.Extensions.DependencyInjection;

namespace Checkpointing.Hosting;

/// <summary>
/// The settings of <c>services.AddCheckpointing(...)</c>, bound from the configuration section
/// <see cref="SectionName"/> (<c>appsettings.json</c>, environment variables such as
/// <c>Checkpointing__MaxDegreeOfParallelism=4</c>, command-line arguments) and/or set in code. They are the
/// defaults of every stage run started through <see cref="HostedStageRunner"/>; they are validated when the
/// host starts (see docs/hosting.md for every key, its default and its validation).
/// </summary>
/// <remarks>
/// Enumerations are strings here so that a wrong value gets a message naming the key, the value and the
/// accepted values, rather than the binder's conversion error.
/// </remarks>
public sealed class CheckpointingOptions
{
    /// <summary>The configuration section the settings are read from: <c>Checkpointing</c>.</summary>
    public const string SectionName = "Checkpointing";

    /// <summary>The storage root (a folder, created if missing); relative to the working directory. Defaults to <c>data</c>.</summary>
    public string Root { get; set; } = "data";

    /// <summary>The run id used when a run does not name one (e.g. <c>scan-0042</c>); none by default.</summary>
    public string? RunId { get; set; }

    /// <summary>True (default): skip completed items. False: explicitly reset each stage and redo every item.</summary>
    public bool Resume { get; set; } = true;

    /// <summary>How many items a stage processes at once; 1 or more. Defaults to 1.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>
    /// When completion marks become durable: <c>EveryItem</c> (default), <c>EveryItems</c> (with
    /// <see cref="CommitItems"/>) or <c>Every</c> (with <see cref="CommitInterval"/>); case-insensitive.
    /// </summary>
    public string CommitPolicy { get; set; } = nameof(Checkpointing.CommitPolicy.EveryItem);

    /// <summary>The group size of the <c>EveryItems</c> commit policy; 1 or more. Only with that policy.</summary>
    public int? CommitItems { get; set; }

    /// <summary>The longest a mark stays pending under the <c>Every</c> commit policy; positive. Only with that policy.</summary>
    public TimeSpan? CommitInterval { get; set; }

    /// <summary>What a stage does when an item's work throws: <c>FailStage</c> (default) or <c>SkipItem</c>; case-insensitive.</summary>
    public string ItemFailurePolicy { get; set; } = nameof(Checkpointing.ItemFailurePolicy.FailStage);

    /// <summary>True (default): on resume, read and validate every completed item's output.</summary>
    public bool ValidateOutputsOnResume { get; set; } = true;

    /// <summary>True: an unreadable checkpoint snapshot fails the run instead of falling back to the outputs. Defaults to false.</summary>
    public bool StrictCheckpoint { get; set; }

    /// <summary>
    /// Settings of single stages by stage name (section <c>Checkpointing:Stages:&lt;stage&gt;</c>, e.g.
    /// <c>Checkpointing:Stages:ocr:MaxDegreeOfParallelism</c>); what a stage leaves unset comes from the defaults above.
    /// </summary>
    public Dictionary<string, StageSettings> Stages { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Which checkpoint store keeps the checkpoints (section <c>Checkpointing:Store</c>).</summary>
    public CheckpointStoreOptions Store { get; set; } = new();

    /// <summary>The thresholds of the health check (section <c>Checkpointing:Health</c>).</summary>
    public CheckpointingHealthOptions Health { get; set; } = new();

    /// <summary>
    /// Settings of phase snapshots by phase name (section <c>Checkpointing:Phases:&lt;phase&gt;</c>), read by
    /// <see cref="CheckpointOptionsFactory.CreatePhaseOptions"/>.
    /// </summary>
    public Dictionary<string, PhaseSettings> Phases { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Settings of shared-file batches by checkpoint name (section <c>Checkpointing:SharedFiles:&lt;name&gt;</c>), read by
    /// <see cref="CheckpointOptionsFactory.CreateSharedFileOptions"/>.
    /// </summary>
    public Dictionary<string, SharedFileSettings> SharedFiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The settings of one phase's snapshots (section <c>Checkpointing:Phases:&lt;phase&gt;</c>); a null setting takes
/// the default of <see cref="Checkpointing.Phases.PhaseCheckpointOptions"/>, and <see cref="Root"/> that of <see cref="CheckpointingOptions.Root"/>.
/// </summary>
public sealed class PhaseSettings
{
    /// <summary>The folder of the phases' snapshots; defaults to <see cref="CheckpointingOptions.Root"/>.</summary>
    public string? Root { get; set; }

    /// <summary>Maps to <see cref="Checkpointing.Phases.PhaseCheckpointOptions.MinSaveInterval"/>; zero or more.</summary>
    public TimeSpan? MinSaveInterval { get; set; }

    /// <summary>Maps to <see cref="Checkpointing.Phases.PhaseCheckpointOptions.Ttl"/>; positive.</summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>Maps to <see cref="Checkpointing.Phases.PhaseCheckpointOptions.MaxSnapshots"/>; 1 or more.</summary>
    public int? MaxSnapshots { get; set; }
}

/// <summary>
/// The settings of one shared file's batches (section <c>Checkpointing:SharedFiles:&lt;name&gt;</c>). The batch
/// settings that are set are combined with <see cref="Checkpointing.SharedFiles.SharedFileBatchPolicy.Or"/> (a batch is
/// saved when the first of them is reached); with none set the policy is <see cref="Checkpointing.SharedFiles.SharedFileBatchPolicy.Default"/>.
/// </summary>
public sealed class SharedFileSettings
{
    /// <summary>The shared file, relative to the run folder; may instead be passed in code.</summary>
    public string? FileName { get; set; }

    /// <summary>Save after this many items (<see cref="Checkpointing.SharedFiles.SharedFileBatchPolicy.Items"/>); 1 or more.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Save when a row has waited this many seconds (<see cref="Checkpointing.SharedFiles.SharedFileBatchPolicy.Every"/>); positive.</summary>
    public double? BatchSeconds { get; set; }

    /// <summary>Save when the buffered rows reach this many bytes (<see cref="Checkpointing.SharedFiles.SharedFileBatchPolicy.Adaptive"/>); 1 or more.</summary>
    public long? BatchBytes { get; set; }
}

/// <summary>
/// The settings of one stage (section <c>Checkpointing:Stages:&lt;stage&gt;</c>) over the defaults of
/// <see cref="CheckpointingOptions"/>; a null setting takes the default. A stage that sets its own
/// <see cref="CommitPolicy"/> takes <see cref="CommitItems"/> and <see cref="CommitInterval"/> from here only.
/// </summary>
public sealed class StageSettings
{
    /// <summary>Overrides <see cref="CheckpointingOptions.Resume"/>.</summary>
    public bool? Resume { get; set; }

    /// <summary>Overrides <see cref="CheckpointingOptions.MaxDegreeOfParallelism"/>.</summary>
    public int? MaxDegreeOfParallelism { get; set; }

    /// <summary>Overrides <see cref="CheckpointingOptions.CommitPolicy"/>.</summary>
    public string? CommitPolicy { get; set; }

    /// <summary>Overrides <see cref="CheckpointingOptions.CommitItems"/>.</summary>
    public int? CommitItems { get; set; }

    /// <summary>Overrides <see cref="CheckpointingOptions.CommitInterval"/>.</summary>
    public TimeSpan? CommitInterval { get; set; }

    /// <summary>Overrides <see cref="CheckpointingOptions.ItemFailurePolicy"/>.</summary>
    public string? ItemFailurePolicy { get; set; }

    /// <summary>Overrides <see cref="CheckpointingOptions.ValidateOutputsOnResume"/>.</summary>
    public bool? ValidateOutputsOnResume { get; set; }

    /// <summary>Overrides <see cref="CheckpointingOptions.StrictCheckpoint"/>.</summary>
    public bool? StrictCheckpoint { get; set; }
}

/// <summary>Which checkpoint store keeps the checkpoints (section <c>Checkpointing:Store</c>).</summary>
public sealed class CheckpointStoreOptions
{
    /// <summary>The name of the file store, the default: checkpoints in files under the root.</summary>
    public const string File = "File";

    /// <summary>
    /// The registered store to use (case-insensitive): <see cref="File"/> by default. Other stores are
    /// registered by name with <see cref="CheckpointingBuilderExtensions.AddStore"/>.
    /// </summary>
    public string Type { get; set; } = File;
}

/// <summary>
/// When the health check calls a running stage stalled (section <c>Checkpointing:Health</c>): the age of its
/// last durable mark (or, before its first, of its start) against two thresholds.
/// </summary>
public sealed class CheckpointingHealthOptions
{
    /// <summary>From this age on, the stage is <c>Degraded</c>. Positive; defaults to 5 minutes.</summary>
    public TimeSpan DegradedAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>From this age on, the stage is <c>Unhealthy</c>. Greater than <see cref="DegradedAfter"/>; defaults to 20 minutes.</summary>
    public TimeSpan UnhealthyAfter { get; set; } = TimeSpan.FromMinutes(20);
}
