using System.Buffers;
using Checkpointing.IO;

namespace Checkpointing.Store;

/// <summary>
/// An open stage checkpoint of <see cref="FileCheckpointStore"/>. Marks are appended to the journal; under
/// <see cref="CommitPolicy.EveryItem"/> concurrent marks share one fsync (group commit): whoever flushes
/// writes every pending record, and the others find theirs already durable. The cost of a mark does not
/// depend on the number of completed items; the journal is folded into the snapshot when it outgrows it.
/// </summary>
internal sealed class FileCheckpointJournal : ICheckpointJournal
{
    private const long MinimumCompactionBytes = 4 * 1024 * 1024;

    /// <summary>Between a damaged file's name and the UTC time in the name of its kept copy: <c>work.json.corrupt-20261130T091500123Z</c>.</summary>
    internal const string CorruptInfix = ".corrupt-";

    private readonly IFileSystem _fs;
    private readonly TimeProvider _time;
    private readonly CheckpointOpenRequest _request;
    private readonly string _snapshotPath;
    private readonly string _journalPath;
    private readonly IDisposable _lock;
    private readonly string _lockInfoPath;
    private readonly object _sync = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly List<string> _reports;
    private readonly ITimer? _timer;

    private StageCheckpointDocument _state;
    private ArrayBufferWriter<byte> _pending = new(4096);
    private ArrayBufferWriter<byte> _spare = new(4096);
    private int _pendingCount;
    private long _lastSequence;
    private long _durableSequence;
    private IFileHandle? _journal;
    private long _journalLength;
    private long _snapshotLength;
    private bool _journalBroken;
    private bool _replaceDamagedSnapshot;
    private Exception? _timerError;
    private bool _disposed;

    private FileCheckpointJournal(
        IFileSystem fs, TimeProvider time, CheckpointOpenRequest request, string snapshotPath, string journalPath,
        IDisposable lockHandle, string lockInfoPath, StageCheckpointDocument state, List<string> reports)
    {
        _fs = fs;
        _time = time;
        _request = request;
        _snapshotPath = snapshotPath;
        _journalPath = journalPath;
        _lock = lockHandle;
        _lockInfoPath = lockInfoPath;
        _state = state;
        _reports = reports;
        _lastSequence = state.JournalSequence;
        _durableSequence = _lastSequence;
        if (request.CommitPolicy.Interval > TimeSpan.Zero)
        {
            _timer = time.CreateTimer(_ => OnTimer(), null, request.CommitPolicy.Interval, request.CommitPolicy.Interval);
        }
    }

    public IReadOnlyList<string> RecoveryReports => _reports;

    public static FileCheckpointJournal Open(
        IFileSystem fs, TimeProvider time, CheckpointOpenRequest request, string snapshotPath, string journalPath,
        IDisposable lockHandle, string lockInfoPath)
    {
        var reports = new List<string>();
        var (state, snapshotLength, damaged) = LoadSnapshot(fs, time, request, snapshotPath, reports);
        var journal = new FileCheckpointJournal(fs, time, request, snapshotPath, journalPath, lockHandle, lockInfoPath, state, reports)
        {
            _snapshotLength = snapshotLength,
            _replaceDamagedSnapshot = damaged,
        };
        journal.RecoverJournal();
        if (damaged)
        {
            // Write the rebuilt state at once: the damaged snapshot is replaced (never copied to .bak) and a
            // later crash starts from a readable snapshot rather than rebuilding again.
            journal._flushGate.Wait();
            try
            {
                journal.CompactLocked();
            }
            finally
            {
                journal._flushGate.Release();
            }
        }

        return journal;
    }

    /// <summary>Reads a snapshot for a monitor; throws <see cref="CheckpointCorruptException"/> when unreadable.</summary>
    public static StageCheckpointDocument ReadSnapshot(IFileSystem fs, string path)
    {
        try
        {
            return CheckpointJson.DeserializeDocument(fs.ReadAllBytes(path));
        }
        catch (FormatException e)
        {
            throw new CheckpointCorruptException(path, e.Message, e);
        }
    }

    public StageCheckpointDocument GetState()
    {
        lock (_sync)
        {
            return _state.Clone();
        }
    }

    public bool IsCompleted(string key)
    {
        lock (_sync)
        {
            return _state.Completed.ContainsKey(key);
        }
    }

    public async ValueTask AppendAsync(CheckpointRecord record, AppendDurability durability, CancellationToken cancellationToken)
    {
        long sequence;
        bool flush;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            sequence = ++_lastSequence;
            var numbered = record with { Sequence = sequence };
            JournalFormat.Append(_pending, _scratch, numbered);
            _state.Apply(numbered);
            _pendingCount++;
            flush = durability == AppendDurability.Immediate
                || (durability == AppendDurability.Policy && _pendingCount >= _request.CommitPolicy.Items);
        }

        if (flush)
        {
            await FlushToAsync(sequence, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        long target;
        lock (_sync)
        {
            target = _lastSequence;
        }

        return FlushToAsync(target, cancellationToken);
    }

    public async ValueTask CompactAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            WritePendingLocked();
            CompactLocked();
        }
        finally
        {
            _flushGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _flushGate.WaitAsync().ConfigureAwait(false);
            try
            {
                WritePendingLocked();
                if (_journalLength > 0)
                {
                    CompactLocked();
                }
            }
            finally
            {
                _flushGate.Release();
            }
        }
        finally
        {
            lock (_sync)
            {
                _disposed = true;
            }

            _journal?.Dispose();
            _journal = null;
            try
            {
                if (_fs.FileExists(_lockInfoPath))
                {
                    _fs.Delete(_lockInfoPath);
                }
            }
            catch (IOException)
            {
                // A stale holder file is harmless: the lock itself is released below.
            }

            _lock.Dispose();
        }
    }

    private async ValueTask FlushToAsync(long sequence, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _durableSequence) >= sequence)
        {
            return;
        }

        // Not cancellable once we hold records of other workers: waiting is bounded by one fsync.
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_durableSequence >= sequence)
            {
                return;
            }

            WritePendingLocked();
            if (_journalLength > Math.Max(MinimumCompactionBytes, 2 * _snapshotLength))
            {
                CompactLocked();
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Writes and fsyncs every pending record. Caller holds <see cref="_flushGate"/>.</summary>
    private void WritePendingLocked()
    {
        // Set by the timer's thread: take it atomically so an error is reported exactly once.
        if (Interlocked.Exchange(ref _timerError, null) is { } timerError)
        {
            throw new IOException($"A background flush of '{_journalPath}' failed: {timerError.Message}", timerError);
        }

        ArrayBufferWriter<byte> batch;
        long upTo;
        lock (_sync)
        {
            if (_pending.WrittenCount == 0)
            {
                return;
            }

            batch = _pending;
            _pending = _spare;
            _spare = batch;
            _pendingCount = 0;
            upTo = _lastSequence;
        }

        try
        {
            var journal = EnsureJournalOpen();
            if (Failpoints.ShouldFire(Failpoints.MidJournalRecord))
            {
                journal.Write(batch.WrittenSpan[..(batch.WrittenCount / 2)]);
                Failpoints.Die();
            }

            journal.Write(batch.WrittenSpan);
            journal.Fsync();
            Failpoints.Hit(Failpoints.AfterJournalFsync);
            _journalLength += batch.WrittenCount;
            batch.ResetWrittenCount();
            Volatile.Write(ref _durableSequence, upTo);
        }
        catch
        {
            // A failed write or fsync leaves the file's tail unknown (and fsync errors mark pages clean),
            // so never retry the fsync: put the records back and rewrite them from the last durable offset.
            lock (_sync)
            {
                var merged = new ArrayBufferWriter<byte>(batch.WrittenCount + _pending.WrittenCount);
                merged.Write(batch.WrittenSpan);
                merged.Write(_pending.WrittenSpan);
                _pending.ResetWrittenCount();
                batch.ResetWrittenCount();
                _spare = _pending;
                _pending = merged;
                _pendingCount++;
            }

            _journalBroken = true;
            throw;
        }
    }

    private IFileHandle EnsureJournalOpen()
    {
        if (_journalBroken && _journal is not null)
        {
            _journal.Dispose();
            _journal = null;
        }

        if (_journal is null)
        {
            var isNew = !_fs.FileExists(_journalPath);
            _journal = _fs.Open(_journalPath, FileOpenMode.Append);
            if (_journal.Length != _journalLength)
            {
                _journal.Truncate(_journalLength);
            }

            if (isNew)
            {
                _journal.Fsync();
                _fs.FsyncDirectory(Path.GetDirectoryName(_journalPath)!);
            }

            _journalBroken = false;
        }

        return _journal;
    }

    /// <summary>Folds the journal into the snapshot. Caller holds <see cref="_flushGate"/> and has written pending records.</summary>
    private void CompactLocked()
    {
        byte[] bytes;
        lock (_sync)
        {
            bytes = CheckpointJson.SerializeDocument(_state);
        }

        AtomicFile.WriteAllBytes(_fs, _snapshotPath, bytes, new AtomicWriteOptions
        {
            Validate = stream => CheckpointJson.DeserializeDocument(ReadAll(stream)),

            // The backup is a copy of the snapshot being replaced: never of a damaged one.
            KeepBackup = !_replaceDamagedSnapshot,
        });
        _replaceDamagedSnapshot = false;
        _snapshotLength = bytes.Length;
        Failpoints.Hit(Failpoints.DuringCompaction);

        // Records at or below the snapshot's journal_seq are skipped on replay, so a crash between the
        // snapshot's rename and this truncation is harmless.
        // The snapshot is durable and holds every record, so the journal restarts empty whatever happens
        // below. If the truncation's fsync fails, its outcome on disk is unknown: reopen and truncate
        // again before the next write rather than keep the old length (which would later pad the file
        // with zeros and hide every record after them) or retry the failed fsync.
        var journal = EnsureJournalOpen();
        _journalLength = 0;
        try
        {
            journal.Truncate(0);
            journal.Fsync();
        }
        catch
        {
            _journalBroken = true;
            throw;
        }
    }

    private void RecoverJournal()
    {
        if (!_fs.FileExists(_journalPath))
        {
            return;
        }

        var bytes = _fs.ReadAllBytes(_journalPath);
        if (_replaceDamagedSnapshot)
        {
            RecoverJournalAfterDamage(bytes);
            return;
        }

        var records = JournalFormat.ReadValidRecords(bytes, out var validLength, out var problem);
        Failpoints.Hit(Failpoints.DuringRecovery);
        foreach (var record in records)
        {
            _state.Apply(record);
        }

        _lastSequence = Math.Max(_lastSequence, _state.JournalSequence);
        _durableSequence = _lastSequence;
        _journalLength = validLength;
        if (problem is not null)
        {
            var dropped = bytes.Length - validLength;
            _reports.Add($"Journal '{_journalPath}': {problem}; dropped the last {dropped} byte(s) and kept {records.Count} whole record(s). Items whose marks were lost are re-checked against their outputs.");
            using var handle = _fs.Open(_journalPath, FileOpenMode.OpenExisting);
            handle.Truncate(validLength);
            handle.Fsync();
        }
    }

    /// <summary>
    /// With the snapshot damaged, the journal is what is left of the history: every record whose checksum
    /// still verifies is kept, also past a damaged line (the damage is not a crash's torn tail then), and a
    /// damaged journal is copied aside for inspection. The compaction that follows folds them into a new
    /// snapshot and empties the journal.
    /// </summary>
    private void RecoverJournalAfterDamage(byte[] bytes)
    {
        var records = JournalFormat.ReadEveryVerifiedRecord(bytes, out var damagedLines);
        Failpoints.Hit(Failpoints.DuringRecovery);
        foreach (var record in records)
        {
            _state.Apply(record);
        }

        var highest = records.Count > 0 ? records.Max(r => r.Sequence) : 0;
        _lastSequence = Math.Max(_lastSequence, Math.Max(highest, _state.JournalSequence));
        _durableSequence = _lastSequence;
        _journalLength = bytes.Length;
        if (damagedLines > 0)
        {
            // Part of the same report: one line says what recovery found and kept.
            var copy = KeepCopy(_fs, _time, _journalPath, bytes);
            var note = $"Journal '{_journalPath}': {damagedLines} damaged line(s) skipped, {records.Count} record(s) that verify kept; a copy is kept as '{copy}'.";
            if (_reports.Count > 0)
            {
                _reports[^1] += " " + note;
            }
            else
            {
                _reports.Add(note);
            }
        }
    }

    private static (StageCheckpointDocument State, long Length, bool Damaged) LoadSnapshot(
        IFileSystem fs, TimeProvider time, CheckpointOpenRequest request, string path, List<string> reports)
    {
        var fresh = new StageCheckpointDocument { Stage = request.StageName, RunId = request.RunId, OutputDirectory = request.OutputDirectory };
        var (snapshot, snapshotBytes, problem) = TryLoad(fs, request, path);
        if (snapshot is not null)
        {
            return (snapshot, snapshotBytes!.LongLength, false);
        }

        if (problem is not null && request.Strict)
        {
            throw new CheckpointCorruptException(path, problem + ". The run is configured strict; repair or delete the file (the outputs are kept)");
        }

        var kept = problem is null ? null : KeepCopy(fs, time, path, snapshotBytes!);
        var backup = path + AtomicFile.BackupSuffix;
        var (previous, previousBytes, backupProblem) = TryLoad(fs, request, backup);
        if (previous is not null)
        {
            reports.Add(problem is null
                ? $"Checkpoint '{path}' is missing; using its previous version '{backup}'. Completed items are re-checked against their outputs."
                : $"Checkpoint '{path}' is unreadable ({problem}); kept a copy as '{kept}' and using its previous version '{backup}'. Completed items are re-checked against their outputs.");
            return (previous, previousBytes!.LongLength, true);
        }

        if (problem is null && backupProblem is null)
        {
            return (fresh, 0, false);
        }

        if (backupProblem is not null && request.Strict)
        {
            throw new CheckpointCorruptException(backup, backupProblem + ". The run is configured strict; repair or delete the file (the outputs are kept)");
        }

        var keptBackup = backupProblem is null ? null : KeepCopy(fs, time, backup, previousBytes!);
        var history = new[] { snapshotBytes, previousBytes }.Select(CheckpointSalvage.TrySalvage).FirstOrDefault(h => h is not null);
        history?.ApplyTo(fresh);
        var copies = string.Join(" and ", new[] { kept, keptBackup }.Where(p => p is not null).Select(p => $"'{p}'"));
        var what = problem is null
            ? $"Checkpoint '{path}' is missing and its previous version '{backup}' is unreadable ({backupProblem})"
            : backupProblem is null
                ? $"Checkpoint '{path}' is unreadable ({problem}) and has no previous version"
                : $"Checkpoint '{path}' and its previous version are both unreadable ({problem}; {backupProblem})";
        reports.Add($"{what}; kept a copy as {copies}; starting from what the outputs prove and the journal's records that verify; " +
            (history is null
                ? "the run history before them could not be read."
                : $"read a run history of {history.Runs.Count} run(s) from the damaged file."));
        return (fresh, 0, true);
    }

    private static (StageCheckpointDocument? Document, byte[]? Bytes, string? Problem) TryLoad(IFileSystem fs, CheckpointOpenRequest request, string path)
    {
        if (!fs.FileExists(path))
        {
            return (null, null, null);
        }

        var bytes = fs.ReadAllBytes(path);
        try
        {
            var document = CheckpointJson.DeserializeDocument(bytes);
            document.OutputDirectory = request.OutputDirectory;
            return (document, bytes, null);
        }
        catch (FormatException e)
        {
            return (null, bytes, e.Message);
        }
    }

    /// <summary>
    /// Copies a damaged checkpoint file, durably, to <c>&lt;name&gt;.corrupt-&lt;UTC time&gt;</c> for inspection;
    /// returns the copy's path. A copy rather than a rename: until the rebuilt state is saved, the damaged
    /// file stays where the next open looks, so a crash in between only repeats the recovery.
    /// </summary>
    private static string KeepCopy(IFileSystem fs, TimeProvider time, string path, byte[] bytes)
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var target = $"{path}{CorruptInfix}{stamp}";
        for (var n = 2; fs.FileExists(target); n++)
        {
            target = $"{path}{CorruptInfix}{stamp}-{n}";
        }

        AtomicFile.WriteAllBytes(fs, target, bytes, null);
        return target;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private void OnTimer()
    {
        try
        {
            FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            // Surfaces on the next mark or flush of a worker, which can fail the stage with it.
            Volatile.Write(ref _timerError, e);
        }
    }
}
