using System.Buffers;
using Checkpointing.IO;

namespace Checkpointing;

/// <summary>
/// An open stage checkpoint of <see cref="FileCheckpointStore"/>. Marks are appended to the journal; under
/// <see cref="CommitPolicy.EveryItem"/> concurrent marks share one fsync (group commit): whoever flushes
/// writes every pending record, and the others find theirs already durable. The cost of a mark does not
/// depend on the number of completed items; the journal is folded into the snapshot when it outgrows it.
/// </summary>
internal sealed class FileCheckpointJournal : ICheckpointJournal
{
    private const long MinimumCompactionBytes = 4 * 1024 * 1024;

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
        var (state, snapshotLength) = LoadSnapshot(fs, request, snapshotPath, reports);
        var journal = new FileCheckpointJournal(fs, time, request, snapshotPath, journalPath, lockHandle, lockInfoPath, state, reports)
        {
            _snapshotLength = snapshotLength,
        };
        journal.RecoverJournal();
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
            KeepBackup = true,
        });
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

    private static (StageCheckpointDocument State, long Length) LoadSnapshot(IFileSystem fs, CheckpointOpenRequest request, string path, List<string> reports)
    {
        var fresh = new StageCheckpointDocument { Stage = request.StageName, RunId = request.RunId, OutputDirectory = request.OutputDirectory };
        if (!fs.FileExists(path))
        {
            return (fresh, 0);
        }

        string problem;
        try
        {
            var bytes = fs.ReadAllBytes(path);
            var document = CheckpointJson.DeserializeDocument(bytes);
            document.OutputDirectory = request.OutputDirectory;
            return (document, bytes.LongLength);
        }
        catch (FormatException e)
        {
            problem = e.Message;
        }

        if (request.Strict)
        {
            throw new CheckpointCorruptException(path, problem + ". The run is configured strict; repair or delete the file (the outputs are kept)");
        }

        var backup = path + AtomicFile.BackupSuffix;
        if (fs.FileExists(backup))
        {
            try
            {
                var bytes = fs.ReadAllBytes(backup);
                var previous = CheckpointJson.DeserializeDocument(bytes);
                previous.OutputDirectory = request.OutputDirectory;
                reports.Add($"Checkpoint '{path}' is unreadable ({problem}); using its previous version '{backup}'. Completed items are re-checked against their outputs.");
                return (previous, bytes.LongLength);
            }
            catch (FormatException)
            {
                // Fall through to the outputs.
            }
        }

        reports.Add($"Checkpoint '{path}' is unreadable ({problem}); starting from what the outputs prove. Run history and the cost of items without outputs are lost.");
        return (fresh, 0);
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
