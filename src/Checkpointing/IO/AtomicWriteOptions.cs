namespace Checkpointing.IO;

using Checkpointing.IO;

/// <summary>Options of one <see cref="AtomicFile"/> write.</summary>
public sealed class AtomicWriteOptions
{
    /// <summary>The default options: no validation, no backup.</summary>
    public static AtomicWriteOptions Default { get; } = new();

    /// <summary>
    /// Checks the temp file after it is durable and before it replaces the target, e.g. by parsing it back.
    /// Throw to abort the write: the target keeps its old content and the temp file is removed.
    /// The stream is positioned at the start of the temp file's content.
    /// </summary>
    public Action<Stream>? Validate { get; init; }

    /// <summary>
    /// Keeps the previous version of the target as <c>&lt;name&gt;.bak</c> (written durably before the
    /// target is replaced); if a step after the replacement fails, the previous version is restored.
    /// </summary>
    public bool KeepBackup { get; init; }

    /// <summary>
    /// Leaves the directory fsync to the caller, who shares one across many writes (group commit) and
    /// must complete it before anything depends on the new name being durable.
    /// </summary>
    internal bool SkipDirectorySync { get; init; }
}
