namespace Checkpointing.Phases;

/// <summary>A snapshot loaded by <see cref="PhaseCheckpoint{TState}.LoadLatestAsync"/>.</summary>
/// <typeparam name="TState">The phase's state.</typeparam>
public sealed record PhaseSnapshot<TState>
{
    /// <summary>The snapshot file.</summary>
    public required string Path { get; init; }

    /// <summary>The caller's iteration counter at the save.</summary>
    public required long Iteration { get; init; }

    /// <summary>The save number within the phase (the latest snapshot has the highest).</summary>
    public required long Sequence { get; init; }

    /// <summary>When the snapshot was saved.</summary>
    public required DateTimeOffset SavedAt { get; init; }

    /// <summary>Whether this is the final snapshot of a finished phase (<see cref="PhaseCheckpoint{TState}.CompleteAsync"/>).</summary>
    public required bool IsComplete { get; init; }

    /// <summary>The inputs the state was computed from, or <see langword="null"/> when none was given.</summary>
    public PhaseFingerprint? InputFingerprint { get; init; }

    /// <summary>The state.</summary>
    public required TState State { get; init; }

    /// <summary>The free-form metadata saved with the state.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
}
