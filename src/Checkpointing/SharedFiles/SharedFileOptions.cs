using Microsoft.Extensions.Logging;

namespace Checkpointing.SharedFiles;

/// <summary>Options of <see cref="SharedFileBatches{TRow}"/> and <see cref="SharedFileRunner"/>.</summary>
public sealed record SharedFileOptions
{
    /// <summary>The storage root; the run's files are under <c>&lt;Root&gt;/&lt;RunId&gt;/</c>. Defaults to <c>data</c>.</summary>
    public string Root { get; init; } = "data";

    /// <summary>The run, e.g. <c>review-2026</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The checkpoint's name: <c>&lt;Root&gt;/&lt;RunId&gt;/checkpoints/&lt;Name&gt;.batches.json</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The shared file, relative to <c>&lt;Root&gt;/&lt;RunId&gt;/</c> (no <c>..</c>, not rooted).</summary>
    public required string FileName { get; init; }

    /// <summary>When a batch is saved. Defaults to <see cref="SharedFileBatchPolicy.Default"/> (50 items).</summary>
    public SharedFileBatchPolicy Policy { get; init; } = SharedFileBatchPolicy.Default;

    /// <summary>Where the run starts. Defaults to <see cref="SharedFileStart.Resume"/>.</summary>
    public SharedFileStart Start { get; init; } = SharedFileStart.Resume;

    /// <summary>
    /// Accept a shared file that does not match the checkpoint: its keys become the completed items and its hash
    /// is recorded. Without it such a file stops the run with <see cref="SharedFileMismatchException"/>.
    /// </summary>
    public bool Force { get; init; }

    /// <summary>How many times a failed save (an <see cref="IOException"/>) is retried. Defaults to 3.</summary>
    public int SaveRetries { get; init; } = 3;

    /// <summary>The delay before the first retry of a failed save; it doubles each retry, with jitter. Defaults to 1 s.</summary>
    public TimeSpan SaveRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many items <see cref="SharedFileRunner"/> processes at once. Defaults to 1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    /// <summary>Whether the first failed item stops <see cref="SharedFileRunner"/> (after saving the pending rows). Defaults to false.</summary>
    public bool StopOnItemFailure { get; init; }

    /// <summary>Receives open, recovery, batch and failure messages.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The clock of timestamps, of <see cref="SharedFileBatchPolicy.Every"/> and of retry delays; the system clock by default.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
