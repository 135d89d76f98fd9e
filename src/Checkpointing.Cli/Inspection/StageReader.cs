using Checkpointing.Store;
namespace Checkpointing.Cli.Inspection;

/// <summary>What a journal holds: its whole records and, when it stops early, why and what is lost.</summary>
/// <param name="Length">The file's length in bytes (0 when there is none).</param>
/// <param name="ValidLength">The bytes of whole records.</param>
/// <param name="Records">The whole records, in file order.</param>
/// <param name="Problem">Why reading stopped before the end, or null.</param>
/// <param name="LinesAfterProblem">Whole lines after the bad one: more than 0 means damage in the middle, not a torn tail.</param>
internal sealed record JournalScan(long Length, long ValidLength, IReadOnlyList<CheckpointRecord> Records, string? Problem, int LinesAfterProblem)
{
    /// <summary>An absent journal.</summary>
    public static JournalScan None { get; } = new(0, 0, [], null, 0);

    /// <summary>The 1-based line of the first bad record.</summary>
    public int ProblemLine => Records.Count + 1;

    public static JournalScan Read(byte[] bytes)
    {
        var records = JournalFormat.ReadValidRecords(bytes, out var validLength, out var problem);
        var after = 0;
        if (problem is not null)
        {
            var rest = bytes.AsSpan((int)validLength);
            var badLineEnd = rest.IndexOf((byte)'\n');
            if (badLineEnd >= 0)
            {
                after = rest[(badLineEnd + 1)..].Count((byte)'\n');
            }
        }

        return new JournalScan(bytes.Length, validLength, records, problem, after);
    }
}

/// <summary>A stage's state as read from its files, at one consistent point.</summary>
/// <param name="Location">The stage.</param>
/// <param name="Document">The snapshot with the journal applied; null when the snapshot is unreadable.</param>
/// <param name="SnapshotProblem">Why the snapshot is unreadable, or null.</param>
/// <param name="Journal">The journal.</param>
/// <param name="Lock">The lock holder, when the lock is held (or was, by a process that died).</param>
internal sealed record StageState(StageLocation Location, StageCheckpointDocument? Document, string? SnapshotProblem, JournalScan Journal, LockHolder? Lock)
{
    /// <summary>Whether a run holds the stage now.</summary>
    public bool Running => Lock?.Running == true;

    /// <summary>
    /// Every process running the stage now, <see cref="Lock"/> first: the holder of a file stage's lock, or a
    /// store's live workers (many may run one stage). Empty when none runs.
    /// </summary>
    public IReadOnlyList<LockHolder> Workers { get; init; } = Lock is { Running: true } holder ? [holder] : [];
}

/// <summary>
/// Reads a stage the way the runtime does (snapshot plus the journal's whole records, through the runtime's
/// own parsers, or <see cref="SnapshotReader"/> where it reads exactly what they read) without taking its lock or writing anything, so a running stage is never disturbed.
/// </summary>
internal static class StageReader
{
    private const int Attempts = 20;

    /// <summary>
    /// Reads the stage. A run may fold its journal into a new snapshot between the two reads; that is seen
    /// (the snapshot changed, or the journal's first record does not follow it) and the read is repeated, so
    /// the state returned is one the writer really had, never a mix.
    /// </summary>
    public static StageState Read(StageLocation location)
    {
        StageState? last = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var before = Stamp(location.SnapshotPath);
            var snapshot = before.Exists ? TryReadAllBytes(location.SnapshotPath) : null;
            if (before.Exists && snapshot is null)
            {
                continue;
            }

            var journalBytes = TryReadAllBytes(location.JournalPath);
            if (Stamp(location.SnapshotPath) != before)
            {
                continue;
            }

            var journal = journalBytes is null ? JournalScan.None : JournalScan.Read(journalBytes);
            var holder = LockHolder.Read(location.LockInfoPath);
            StageCheckpointDocument? document;
            string? problem = null;
            if (snapshot is null)
            {
                document = new StageCheckpointDocument { Stage = location.Stage, RunId = location.RunId };
            }
            else
            {
                try
                {
                    document = SnapshotReader.Read(snapshot);
                }
                catch (FormatException e)
                {
                    document = null;
                    problem = e.Message;
                }
            }

            last = new StageState(location, document, problem, journal, holder);
            if (document is null)
            {
                return last;
            }

            var first = journal.Records.FirstOrDefault(r => r.Sequence != 0);
            var gap = first is not null && first.Sequence > document.JournalSequence + 1;
            foreach (var record in journal.Records)
            {
                document.Apply(record);
            }

            // A gap after a snapshot rewritten between our reads goes away on a new attempt; one that stays
            // was left by a recovery from the backup snapshot and is what the runtime itself would load.
            if (!gap || attempt == Attempts - 1)
            {
                return last;
            }

            Thread.Sleep(5);
        }

        return last ?? throw new IOException($"Checkpoint '{location.SnapshotPath}' kept changing while it was read; try again.");
    }

    private static (bool Exists, long Length, DateTime Modified) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (true, info.Length, info.LastWriteTimeUtc) : (false, 0, default);
    }

    /// <summary>
    /// Reads a file the writer may truncate while we read it (the journal, folded into a new snapshot):
    /// reads to the end as it is then, where <see cref="File.ReadAllBytes"/> would throw
    /// <see cref="EndOfStreamException"/> when the file shrinks below the length it saw at open. A journal
    /// cut that way either came with a new snapshot (seen by the caller's stamp check) or lost its tail.
    /// </summary>
    internal static byte[]? TryReadAllBytes(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer, 81920);
            return buffer.ToArray();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
