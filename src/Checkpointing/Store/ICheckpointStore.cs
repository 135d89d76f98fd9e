namespace Checkpointing.Store;

/// <summary>
/// Where stage checkpoints live. <see cref="FileCheckpointStore"/> is the embedded default; another store
/// (e.g. a database shared by many machines) implements the same two small interfaces.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>
    /// Takes the stage's exclusive lock and loads its state. Throws <see cref="CheckpointLockedException"/>
    /// when another holder has it.
    /// </summary>
    Task<ICheckpointJournal> OpenAsync(CheckpointOpenRequest request, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ICheckpointStore.OpenAsync"/> opens.</summary>
public sealed record CheckpointOpenRequest
{
    /// <summary>The run id.</summary>
    public required string RunId { get; init; }

    /// <summary>The stage name.</summary>
    public required string StageName { get; init; }

    /// <summary>The outputs' folder, relative to the run folder.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>When appended records become durable.</summary>
    public CommitPolicy CommitPolicy { get; init; } = CommitPolicy.EveryItem;

    /// <summary>Fail on an unreadable snapshot instead of falling back to the outputs.</summary>
    public bool Strict { get; init; }

    /// <summary>
    /// What the stage processes, e.g. <c>System.Int32 -&gt; MyApp.OcrPage</c>, when known; a shared store
    /// refuses a stage that another run registered with a different one.
    /// </summary>
    public string? ItemType { get; init; }
}

/// <summary>An open, locked stage checkpoint: its state and the journal of changes to it.</summary>
public interface ICheckpointJournal : IAsyncDisposable
{
    /// <summary>A copy of the current state (snapshot with every appended record applied).</summary>
    StageCheckpointDocument GetState();

    /// <summary>What recovery found when the checkpoint was opened (torn journal tail, unreadable snapshot, ...).</summary>
    IReadOnlyList<string> RecoveryReports { get; }

    /// <summary>
    /// Appends a record and applies it to the state. With <see cref="AppendDurability.Policy"/> it is
    /// durable on return under <see cref="CommitPolicy.EveryItem"/> (or when a group fills); with
    /// <see cref="AppendDurability.Immediate"/> always; with <see cref="AppendDurability.Deferred"/> only
    /// after a later flush.
    /// </summary>
    ValueTask AppendAsync(CheckpointRecord record, AppendDurability durability, CancellationToken cancellationToken);

    /// <summary>Makes every appended record durable.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Writes the state as a snapshot and empties the journal.</summary>
    ValueTask CompactAsync(CancellationToken cancellationToken);

    /// <summary>True when <paramref name="key"/> is complete.</summary>
    bool IsCompleted(string key);
}

/// <summary>When an appended record must be durable.</summary>
public enum AppendDurability
{
    /// <summary>As the <see cref="CommitPolicy"/> says.</summary>
    Policy,

    /// <summary>Durable when the append returns.</summary>
    Immediate,

    /// <summary>Buffered until the next flush (for bulk appends that end with one flush).</summary>
    Deferred,
}
