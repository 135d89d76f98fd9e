namespace Checkpointing.Phases;

/// <summary>One file of a phase folder, as listed by <see cref="PhaseCheckpoint{TState}.List"/> or <see cref="PhaseSnapshotFile.Inspect(string)"/>.</summary>
public sealed record PhaseSnapshotInfo
{
    /// <summary>The file.</summary>
    public required string Path { get; init; }

    /// <summary>The file name.</summary>
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>The iteration, when the file could be read (else from its name, when the name has the snapshot shape).</summary>
    public long? Iteration { get; init; }

    /// <summary>The sequence, when the file could be read (else from its name).</summary>
    public long? Sequence { get; init; }

    /// <summary>When it was saved, when the file could be read (else from its name, to the second).</summary>
    public DateTimeOffset? SavedAt { get; init; }

    /// <summary>How long ago it was saved, by the checkpoint's clock.</summary>
    public TimeSpan? Age { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Whether it is a whole snapshot of a known version (the state itself is not deserialized).</summary>
    public bool IsValid => Problem is null;

    /// <summary>Why the file is not a valid snapshot, or <see langword="null"/>.</summary>
    public string? Problem { get; init; }

    /// <summary>Whether it is the final snapshot of a finished phase.</summary>
    public bool IsComplete { get; init; }

    /// <summary>Its input fingerprint (<c>input_fingerprint</c>), when it has one.</summary>
    public string? InputFingerprint { get; init; }
}
