namespace Checkpointing.Phases;

/// <summary>A summary of a phase folder, from <see cref="PhaseCheckpoint{TState}.GetStats"/>.</summary>
/// <param name="Total">Snapshot files (valid or not).</param>
/// <param name="Valid">Valid snapshots.</param>
/// <param name="TotalBytes">Bytes of all snapshot files.</param>
/// <param name="NewestAge">Age of the valid snapshot with the highest sequence, or <see langword="null"/> when there is none.</param>
/// <param name="NewestSequence">Its sequence.</param>
public sealed record PhaseCheckpointStats(int Total, int Valid, long TotalBytes, TimeSpan? NewestAge, long? NewestSequence);
