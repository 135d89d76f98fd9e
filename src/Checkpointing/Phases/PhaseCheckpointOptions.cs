using Microsoft.Extensions.Logging;

namespace Checkpointing.Phases;

/// <summary>Options of a <see cref="PhaseCheckpoint{TState}"/>.</summary>
public sealed record PhaseCheckpointOptions
{
    /// <summary>The folder of all phases; snapshots go to <c>&lt;Root&gt;/&lt;Phase&gt;/</c>. Defaults to <c>checkpoints</c>.</summary>
    public string Root { get; init; } = "checkpoints";

    /// <summary>The phase name, used as a folder name (no path separators, no <c>..</c>). Required.</summary>
    public required string Phase { get; init; }

    /// <summary>
    /// A save within this interval of this process's previous save is skipped unless forced;
    /// <see cref="TimeSpan.Zero"/> saves every time. The first save of a process and
    /// <see cref="PhaseCheckpoint{TState}.CompleteAsync"/> always write. Defaults to 5 minutes.
    /// </summary>
    public TimeSpan MinSaveInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Snapshots older than this are removed after each save (never the newest);
    /// <see langword="null"/> keeps them regardless of age. Defaults to 24 hours.
    /// </summary>
    public TimeSpan? Ttl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>At most this many snapshots are kept after each save (at least 1). Defaults to 10.</summary>
    public int MaxSnapshots { get; init; } = 10;

    /// <summary>
    /// What the state is computed from, usually <see cref="PhaseFingerprint.OfFiles"/> over the input files.
    /// Snapshots saved under another fingerprint are not loaded. <see langword="null"/>: no filtering.
    /// </summary>
    public PhaseFingerprint? InputFingerprint { get; init; }

    /// <summary>Where skipped snapshots, throttled saves and retention are reported; none by default.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The clock of timestamps, throttling, ages and the TTL; the system clock by default.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
