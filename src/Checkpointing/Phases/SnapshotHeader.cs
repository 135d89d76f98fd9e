namespace Checkpointing.Phases;

/// <summary>What <see cref="PhaseSnapshotFile.ReadHeader"/> found in a snapshot: everything but the state's value.</summary>
internal struct SnapshotHeader
{
    /// <summary>Why the file is not a valid snapshot, or null.</summary>
    public string? Problem;
    public string? Phase;
    public long? Iteration;
    public long? Sequence;
    public DateTimeOffset? SavedAt;
    public bool Complete;
    public string? InputFingerprint;
    public bool HasState;

    /// <summary>Where the state's JSON value starts in the file, and its length: the state is read from there, in place.</summary>
    public int StateStart;
    public int StateLength;
    public Dictionary<string, string>? Metadata;

    public static SnapshotHeader Invalid(string problem) => new() { Problem = problem };
}
