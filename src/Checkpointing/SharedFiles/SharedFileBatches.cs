using System.Security.Cryptography;
using Checkpointing.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Checkpointing.SharedFiles;

/// <summary>
/// Batched, crash-safe saving of one shared output file whose rows belong to items: rows are buffered and saved in
/// batches (see <see cref="SharedFileBatchPolicy"/>), each save atomic with a backup of the previous version, and an
/// item counts as completed only once the batch holding its row and the checkpoint naming it are durable.
/// </summary>
/// <remarks>
/// One run at a time per checkpoint (an OS lock released when the process dies). <see cref="AddAsync"/> and
/// <see cref="MarkFailedAsync"/> may be called concurrently. The file format is documented in
/// <c>docs/shared-file-batches.md</c>.
/// </remarks>
/// <typeparam name="TRow">The row type.</typeparam>
public sealed class SharedFileBatches<TRow> : IAsyncDisposable
{
    private readonly IFileSystem _fs;
    private readonly ISharedFileFormat<TRow> _format;
    private readonly SharedFileOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<SharedFileRow<TRow>> _buffer = [];
    private readonly Dictionary<string, int> _bufferIndex = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fileKeys = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _timerStop = new();
    private SharedFileCheckpoint _checkpoint;
    private IDisposable? _lock;
    private byte[]? _current;
    private byte[]? _lastCheckpointBytes;
    private Task? _timer;
    private Exception? _timerError;
    private long _bufferedBytes;
    private decimal _bufferedCost;
    private DateTimeOffset? _oldest;
    private int _itemLimit;
    private SharedFileSaveException? _saveError;
    private bool _ended;
    private bool _disposed;

    private SharedFileBatches(IFileSystem fs, ISharedFileFormat<TRow> format, SharedFileOptions options, SharedFileCheckpoint checkpoint, string filePath, string checkpointPath)
    {
        _fs = fs;
        _format = format;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        _time = options.TimeProvider ?? TimeProvider.System;
        _checkpoint = checkpoint;
        FilePath = filePath;
        CheckpointPath = checkpointPath;
        _itemLimit = options.Policy.MaxItems ?? int.MaxValue;
        _retry = options.SaveRetries <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = _time }
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<IOException>(),
                    MaxRetryAttempts = options.SaveRetries,
                    Delay = options.SaveRetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    OnRetry = args =>
                    {
                        _logger.LogWarning(args.Outcome.Exception, "Saving {File} failed (attempt {Attempt}): {Message}. Retrying in {Delay} ms",
                            FilePath, args.AttemptNumber + 1, args.Outcome.Exception?.Message, (int)args.RetryDelay.TotalMilliseconds);
                        return default;
                    },
                })
                .Build();
    }

    /// <summary>The shared file.</summary>
    public string FilePath { get; }

    /// <summary>The checkpoint file.</summary>
    internal string CheckpointPath { get; }

    /// <summary>The checkpoint as it stands (completed keys, batches, failures).</summary>
    public SharedFileCheckpoint Checkpoint => _checkpoint;

    /// <summary>The number of the last saved batch (1-based), 0 when none.</summary>
    internal int LastBatch => _checkpoint.Batch;

    /// <summary>The rows buffered and not saved yet.</summary>
    internal int PendingRows => _buffer.Count;

    /// <summary>The current item limit of a batch (it moves under <see cref="SharedFileBatchPolicy.Adaptive"/>).</summary>
    internal int CurrentBatchLimit => _itemLimit;

    /// <summary>What opening found: <c>null</c>, or a message about an adopted interrupted save or an accepted mismatch.</summary>
    public string? Recovery { get; private set; }

    /// <summary>Opens (or creates) the checkpoint of a shared file, checks the file against it and starts a run.</summary>
    /// <param name="format">The file format.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="CheckpointLockedException">Another run holds the checkpoint.</exception>
    /// <exception cref="SharedFileMismatchException">The file does not match the checkpoint (and <see cref="SharedFileOptions.Force"/> is off).</exception>
    /// <exception cref="CheckpointCorruptException">The checkpoint cannot be read.</exception>
    public static Task<SharedFileBatches<TRow>> OpenAsync(ISharedFileFormat<TRow> format, SharedFileOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(PhysicalFileSystem.Instance, format, options, cancellationToken);

    internal static async Task<SharedFileBatches<TRow>> OpenAsync(IFileSystem fs, ISharedFileFormat<TRow> format, SharedFileOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var (filePath, relative) = ResolveFile(options);
        var checkpointPath = SharedFileCheckpoint.PathFor(options.Root, options.RunId, options.Name);
        var checkpointDirectory = Path.GetDirectoryName(checkpointPath)!;
        var fileDirectory = Path.GetDirectoryName(filePath)!;
        var time = options.TimeProvider ?? TimeProvider.System;
        foreach (var directory in new[] { checkpointDirectory, fileDirectory })
        {
            if (!fs.DirectoryExists(directory))
            {
                fs.CreateDirectory(directory);
            }
        }

        var lockPath = Path.Combine(checkpointDirectory, options.Name + ".batches.lock");
        var heldLock = fs.TryAcquireLock(lockPath) ?? throw new CheckpointLockedException(options.Name, lockPath, null, null, null);
        try
        {
            // Under the lock, so never a live writer's temp files: the file's (and its backup's) and the checkpoint's.
            var fileName = Path.GetFileName(filePath);
            AtomicFile.CleanupTempFiles(fs, fileDirectory, name => name.StartsWith("." + fileName + ".", StringComparison.Ordinal));
            AtomicFile.CleanupTempFiles(fs, checkpointDirectory, name => name.StartsWith("." + options.Name + SharedFileCheckpoint.FileSuffix + ".", StringComparison.Ordinal));
            var existing = fs.FileExists(checkpointPath);
            var checkpoint = existing
                ? SharedFileCheckpoint.Parse(fs.ReadAllBytes(checkpointPath), checkpointPath)
                : new SharedFileCheckpoint(options.Name, options.RunId, relative, time.GetUtcNow());
            var batches = new SharedFileBatches<TRow>(fs, format, options, checkpoint, filePath, checkpointPath) { _lock = heldLock };
            await batches.StartRunAsync(existing, cancellationToken).ConfigureAwait(false);
            return batches;
        }
        catch
        {
            heldLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The keys this run must process, in the order given: pending, failed and redo keys, and under
    /// <see cref="SharedFileStart.FromItem"/> every key from that 1-based position on (completed ones are reopened
    /// and the checkpoint records them under <c>redo</c> before this returns).
    /// </summary>
    /// <param name="orderedKeys">Every item's key, in item order (item 1 first).</param>
    /// <param name="cancellationToken">Cancels planning.</param>
    /// <exception cref="ArgumentException">A key is invalid or appears twice (the message names both positions).</exception>
    public async Task<IReadOnlyList<string>> PlanAsync(IReadOnlyList<string> orderedKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderedKeys);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < orderedKeys.Count; i++)
        {
            var key = orderedKeys[i];
            if (CheckpointKeys.GetProblem(key) is { } problem)
            {
                throw new ArgumentException($"The key of item {i + 1} (\"{key}\") is not usable: {problem}.", nameof(orderedKeys));
            }

            if (!positions.TryAdd(key, i + 1))
            {
                throw new ArgumentException($"Items {positions[key]} and {i + 1} have the same key \"{key}\"; each item needs its own row.", nameof(orderedKeys));
            }
        }

        var start = _options.Start;
        var first = 1;
        if (start.Kind == SharedFileStartKind.FromItem)
        {
            if (start.Number > orderedKeys.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(orderedKeys), $"Cannot start from item {start.Number}: there are {orderedKeys.Count} items (item numbers are 1-based).");
            }

            first = start.Number;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reopened = 0;
            if (start.Kind == SharedFileStartKind.FromItem)
            {
                for (var i = first - 1; i < orderedKeys.Count; i++)
                {
                    reopened += _checkpoint.Reopen(orderedKeys[i]) ? 1 : 0;
                }
            }

            if (reopened > 0)
            {
                _logger.LogInformation("Starting from item {Item}: {Count} completed item(s) from there on are processed again", first, reopened);
                await WriteCheckpointAsync(cancellationToken).ConfigureAwait(false);
            }

            var plan = new List<string>();
            for (var i = first - 1; i < orderedKeys.Count; i++)
            {
                if (!_checkpoint.IsCompleted(orderedKeys[i]) && !_bufferIndex.ContainsKey(orderedKeys[i]))
                {
                    plan.Add(orderedKeys[i]);
                }
            }

            return plan;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether <paramref name="key"/> is completed (its row saved and recorded, and not to be redone).</summary>
    /// <param name="key">The key.</param>
    public bool IsCompleted(string key) => _checkpoint.IsCompleted(key);

    /// <summary>
    /// Buffers the row of an item; saves a batch when the policy says so. The item counts as completed only when that
    /// batch is saved. A second row for a buffered key replaces the first.
    /// </summary>
    /// <param name="key">The item's key.</param>
    /// <param name="row">Its row.</param>
    /// <param name="costUsd">What the item cost, added to the checkpoint's total when its batch is saved.</param>
    /// <param name="cancellationToken">Cancels waiting; a save that has started is finished.</param>
    /// <exception cref="SharedFileSaveException">A batch could not be saved after its retries.</exception>
    public async ValueTask AddAsync(string key, TRow row, decimal costUsd = 0, CancellationToken cancellationToken = default)
    {
        CheckpointKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(costUsd);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            var size = Math.Max(_format.EstimateSize(row), 0);
            if (_bufferIndex.TryGetValue(key, out var index))
            {
                _bufferedBytes -= Math.Max(_format.EstimateSize(_buffer[index].Row), 0);
                _buffer[index] = new SharedFileRow<TRow>(key, row);
            }
            else
            {
                _bufferIndex[key] = _buffer.Count;
                _buffer.Add(new SharedFileRow<TRow>(key, row));
            }

            _bufferedBytes += size;
            _bufferedCost += costUsd;
            _oldest ??= _time.GetUtcNow();
            if (DueReason() is { } reason)
            {
                // A started save is finished even when the caller cancels: its items are paid for.
                await FlushLockedAsync(reason, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Records that an item failed: it stays pending (retried by the next run); the failure is written with the next
    /// checkpoint write. A buffered row of the same key is dropped.
    /// </summary>
    /// <param name="key">The item's key.</param>
    /// <param name="error">What went wrong.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    public async ValueTask MarkFailedAsync(string key, string error, CancellationToken cancellationToken = default)
    {
        CheckpointKeys.Validate(key);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_bufferIndex.Remove(key, out var index))
            {
                _bufferedBytes -= Math.Max(_format.EstimateSize(_buffer[index].Row), 0);
                _buffer.RemoveAt(index);
                RebuildIndex();
            }

            _checkpoint.Fail(key, error, _time.GetUtcNow());
            _checkpoint.UpdateLastRun(r => r with { Failed = r.Failed + 1 });
            _logger.LogWarning("Item {Key} failed: {Error}. It stays pending and is retried on the next run", key, error);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Saves the buffered rows now (nothing when none are buffered).</summary>
    /// <param name="cancellationToken">Cancels waiting and retry delays.</param>
    /// <exception cref="SharedFileSaveException">The batch could not be saved after its retries.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            await FlushLockedAsync(SharedFileBatchReason.Flush, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Saves the pending rows and records the end of the run: <see cref="SharedFileRunStatus.Completed"/>, or
    /// <see cref="SharedFileRunStatus.Failed"/> when failed items remain pending.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting and retry delays.</param>
    public Task CompleteAsync(CancellationToken cancellationToken = default) =>
        EndAsync(SharedFileRunStatus.Completed, null, cancellationToken);

    /// <summary>
    /// Saves the pending rows (unless a save already failed) and records the end of the run with
    /// <paramref name="status"/>. Called once; <see cref="DisposeAsync"/> calls it with
    /// <see cref="SharedFileRunStatus.Cancelled"/> when nobody did.
    /// </summary>
    /// <param name="status"><see cref="SharedFileRunStatus.Completed"/>, <see cref="SharedFileRunStatus.Failed"/> or <see cref="SharedFileRunStatus.Cancelled"/>.</param>
    /// <param name="error">The error of a failed run.</param>
    /// <param name="cancellationToken">Cancels waiting and retry delays.</param>
    public async Task EndAsync(SharedFileRunStatus status, string? error, CancellationToken cancellationToken = default)
    {
        if (status is not (SharedFileRunStatus.Completed or SharedFileRunStatus.Failed or SharedFileRunStatus.Cancelled))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A run ends completed, failed or cancelled.");
        }

        await StopTimerAsync().ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ended)
            {
                return;
            }

            Exception? saveError = null;
            if (_saveError is null && _timerError is null)
            {
                try
                {
                    var reason = status switch
                    {
                        SharedFileRunStatus.Completed => SharedFileBatchReason.Completion,
                        SharedFileRunStatus.Failed => SharedFileBatchReason.Failure,
                        _ => SharedFileBatchReason.Cancellation,
                    };
                    await FlushLockedAsync(reason, cancellationToken).ConfigureAwait(false);
                }
                catch (SharedFileSaveException ex)
                {
                    saveError = ex;
                    status = SharedFileRunStatus.Failed;
                    error = ex.Message;
                }
            }
            else
            {
                saveError = _saveError ?? _timerError;
                status = SharedFileRunStatus.Failed;
                error ??= saveError?.Message;
            }

            if (status == SharedFileRunStatus.Completed && _checkpoint.Failed.Count > 0)
            {
                status = SharedFileRunStatus.Failed;
                error = $"{_checkpoint.Failed.Count} item(s) failed; they stay pending and are retried on the next run";
            }

            _ended = true;
            _checkpoint.Status = status;
            _checkpoint.Error = status == SharedFileRunStatus.Failed ? error : null;
            var now = _time.GetUtcNow();
            _checkpoint.UpdateLastRun(r => r with { EndedAt = now, Status = status, Error = status == SharedFileRunStatus.Failed ? error : null });
            try
            {
                await WriteCheckpointAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (saveError is not null)
            {
                // The disk already failed the save; the run's end is what the checkpoint lacks, nothing completed.
                _logger.LogWarning(ex, "Could not record the end of the run in {Checkpoint}: {Message}", CheckpointPath, ex.Message);
            }

            _logger.LogInformation("Shared file {File}: run ended {Status}; {Completed} items completed in {Batches} batch(es)",
                FilePath, SharedFileCheckpoint.StatusName(status), _checkpoint.Completed.Count, _checkpoint.Batch);
            if (saveError is not null)
            {
                throw saveError is SharedFileSaveException ? saveError : new SharedFileSaveException(FilePath, _checkpoint.Batch + 1, _buffer.Count, 1, saveError);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the run as cancelled if nobody ended it (saving the pending rows), then releases the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (!_ended)
            {
                await EndAsync(SharedFileRunStatus.Cancelled, null, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "Could not save the pending rows of {File} when closing: {Message}", FilePath, ex.Message);
        }
        finally
        {
            _disposed = true;
            await StopTimerAsync().ConfigureAwait(false);
            _lock?.Dispose();
            _lock = null;
            _timerStop.Dispose();
        }
    }

    private static (string FullPath, string Relative) ResolveFile(SharedFileOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.RunId);
        ArgumentException.ThrowIfNullOrEmpty(options.FileName);
        if (CheckpointKeys.GetProblem(options.RunId) is { } runProblem)
        {
            throw new ArgumentException($"RunId \"{options.RunId}\" cannot be used as a folder name: {runProblem}.", nameof(options));
        }

        if (CheckpointKeys.GetProblem(options.Name) is { } nameProblem)
        {
            throw new ArgumentException($"Name \"{options.Name}\" cannot be used as a file name: {nameProblem}.", nameof(options));
        }

        var segments = options.FileName.Replace('\\', '/').Split('/');
        if (Path.IsPathRooted(options.FileName) || segments.Any(s => CheckpointKeys.GetProblem(s) is not null))
        {
            var problem = Path.IsPathRooted(options.FileName) ? "it is rooted" : segments.Select(CheckpointKeys.GetProblem).First(p => p is not null);
            throw new ArgumentException($"FileName \"{options.FileName}\" must be a relative path inside the run folder: {problem}.", nameof(options));
        }

        var runDirectory = Path.GetFullPath(Path.Combine(options.Root, options.RunId));
        return (Path.Combine([runDirectory, .. segments]), string.Join('/', segments));
    }

    private async Task StartRunAsync(bool existing, CancellationToken cancellationToken)
    {
        var start = _options.Start;
        var now = _time.GetUtcNow();
        if (start.Kind == SharedFileStartKind.Fresh)
        {
            SetAside(now);
            _checkpoint.Reset(now);
            _logger.LogInformation("Fresh start of {File}: the checkpoint is reset", FilePath);
        }
        else
        {
            Verify(existing);
            if (start.Kind == SharedFileStartKind.FromBatch)
            {
                if (start.Number > _checkpoint.Batch + 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(_options), $"Cannot start from batch {start.Number}: the last saved batch of '{FilePath}' is {_checkpoint.Batch} (batch numbers are 1-based).");
                }

                var reopen = _checkpoint.Completed.Where(p => p.Value >= start.Number).Select(p => p.Key).ToList();
                foreach (var key in reopen)
                {
                    _checkpoint.Reopen(key);
                }

                _logger.LogInformation("Starting from batch {Batch}: {Count} item(s) saved in it and later batches are processed again", start.Number, reopen.Count);
            }
        }

        _fileKeys.Clear();
        _fileKeys.UnionWith(_checkpoint.FileKeys);
        _checkpoint.Status = SharedFileRunStatus.InProgress;
        _checkpoint.AddRun(new SharedFileRunRecord(_checkpoint.Runs.Count + 1, now, null, SharedFileRunStatus.InProgress, start.ToString(), 0, 0, 0, null));
        await WriteCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (_checkpoint.Completed.Count > 0 || _checkpoint.Failed.Count > 0)
        {
            _logger.LogInformation("Resuming {File}: {Completed} items completed in {Batches} batch(es), {Failed} failed item(s) to retry, ~${Cost} saved",
                FilePath, _checkpoint.Completed.Count, _checkpoint.Batch, _checkpoint.Failed.Count, _checkpoint.TotalCostUsd);
        }

        if (_options.Policy.MaxInterval is { } interval)
        {
            _timer = Task.Run(() => TimerLoopAsync(interval, _timerStop.Token), CancellationToken.None);
        }
    }

    private void SetAside(DateTimeOffset now)
    {
        if (!_fs.FileExists(FilePath))
        {
            return;
        }

        var stamp = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var aside = $"{FilePath}.{stamp}.old";
        for (var n = 2; _fs.FileExists(aside); n++)
        {
            aside = $"{FilePath}.{stamp}-{n}.old";
        }

        // Moved, never deleted: a fresh start must not destroy paid work.
        _fs.Rename(FilePath, aside);
        _fs.FsyncDirectory(Path.GetDirectoryName(FilePath)!);
        _logger.LogInformation("Fresh start: {File} set aside as {Aside}", FilePath, aside);
    }

    private void Verify(bool checkpointExists)
    {
        var fileExists = _fs.FileExists(FilePath);
        if (!fileExists)
        {
            if (_checkpoint.Sha256 is null)
            {
                return;
            }

            if (_options.Force)
            {
                _logger.LogWarning("The shared file {File} is missing; with Force, its {Count} completed items are pending again", FilePath, _checkpoint.Rows);
                Recovery = $"forced: the file was missing; {_checkpoint.Rows} rows are pending again";
                AcceptFile(null, [], SharedFileBatchReason.Forced);
                return;
            }

            throw Mismatch(null, [], null);
        }

        var bytes = _fs.ReadAllBytes(FilePath);
        var sha = Hash(bytes);
        if (checkpointExists && sha == _checkpoint.Sha256)
        {
            _current = bytes;
            return;
        }

        IReadOnlyList<SharedFileRow<TRow>>? rows = null;
        string? readError = null;
        try
        {
            rows = ReadRows(bytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            readError = ex.Message;
        }

        var fileKeys = rows?.Select(r => r.Key).ToList() ?? [];
        var expected = _checkpoint.FileKeys.ToHashSet(StringComparer.Ordinal);
        // An interrupted save always adds rows or rewrites rows to redo; a hand edit of values alone adopts nothing.
        if (checkpointExists && rows is not null && fileKeys.Distinct(StringComparer.Ordinal).Count() == fileKeys.Count
            && IsPreviousVersionCheckpointed() && expected.IsSubsetOf(fileKeys)
            && (fileKeys.Count > expected.Count || _checkpoint.Redo.Count > 0 || _checkpoint.Sha256 is null))
        {
            // The last save got past its rename but died before its checkpoint: its rows were read back and are whole.
            var added = fileKeys.Where(k => !expected.Contains(k)).ToList();
            AcceptFile(bytes, added, SharedFileBatchReason.Recovered);
            Recovery = $"adopted batch {_checkpoint.Batch} ({added.Count} rows) saved just before the previous run stopped";
            _logger.LogWarning("The last save of {File} was interrupted before its checkpoint: adopted its {Count} rows as batch {Batch}", FilePath, added.Count, _checkpoint.Batch);
            return;
        }

        if (_options.Force && rows is not null)
        {
            var missing = expected.Where(k => !fileKeys.Contains(k)).ToList();
            var extra = fileKeys.Where(k => !expected.Contains(k)).ToList();
            foreach (var key in missing)
            {
                _checkpoint.RemoveCompleted(key);
            }

            _checkpoint.ClearRedo();
            AcceptFile(bytes, fileKeys.Where(k => !_checkpoint.IsCompleted(k)).ToList(), SharedFileBatchReason.Forced);
            Recovery = $"forced: accepted the file as it is ({missing.Count} keys missing are pending again, {extra.Count} extra keys completed)";
            _logger.LogWarning("The shared file {File} did not match its checkpoint; with Force it is accepted: {Recovery}", FilePath, Recovery);
            return;
        }

        throw Mismatch(rows, fileKeys, readError);
    }

    private bool IsPreviousVersionCheckpointed()
    {
        if (_checkpoint.Sha256 is null)
        {
            return true;
        }

        var backup = FilePath + AtomicFile.BackupSuffix;
        return _fs.FileExists(backup) && Hash(_fs.ReadAllBytes(backup)) == _checkpoint.Sha256;
    }

    private SharedFileMismatchException Mismatch(IReadOnlyList<SharedFileRow<TRow>>? rows, List<string> fileKeys, string? readError)
    {
        var expected = _checkpoint.FileKeys.ToHashSet(StringComparer.Ordinal);
        var inFile = fileKeys.ToHashSet(StringComparer.Ordinal);
        var missing = rows is null ? [] : expected.Where(k => !inFile.Contains(k)).ToList();
        var extra = fileKeys.Where(k => !expected.Contains(k)).Distinct(StringComparer.Ordinal).ToList();
        return new SharedFileMismatchException(FilePath, CheckpointPath, _checkpoint.Batch, _checkpoint.Sha256, rows?.Count, _checkpoint.Rows, missing, extra, readError);
    }

    /// <summary>Records the file as it is: <paramref name="added"/> become a batch of their own.</summary>
    private void AcceptFile(byte[]? bytes, List<string> added, SharedFileBatchReason reason)
    {
        var now = _time.GetUtcNow();
        if (bytes is null)
        {
            _checkpoint.Reset(now);
            _current = null;
            return;
        }

        var batch = _checkpoint.Batch + 1;
        foreach (var key in added)
        {
            _checkpoint.Complete(key, batch);
        }

        var sha = Hash(bytes);
        _checkpoint.Batch = batch;
        _checkpoint.Sha256 = sha;
        _checkpoint.FileLength = bytes.Length;
        _checkpoint.AddBatch(new SharedFileBatchRecord(batch, added.Count, _checkpoint.Rows, now, sha, 0, reason));
        _current = bytes;
    }

    private SharedFileBatchReason? DueReason()
    {
        if (_buffer.Count == 0)
        {
            return null;
        }

        if (_options.Policy.MaxBufferedBytes is { } budget && _bufferedBytes >= budget)
        {
            return SharedFileBatchReason.Memory;
        }

        if (_buffer.Count >= _itemLimit)
        {
            return SharedFileBatchReason.Items;
        }

        if (_options.Policy.MaxInterval is { } interval && _oldest is { } oldest && _time.GetUtcNow() - oldest >= interval)
        {
            return SharedFileBatchReason.Time;
        }

        return null;
    }

    /// <summary>
    /// Saves the buffered rows as the next batch: writes the whole file with them (kept only if it reads back
    /// as expected), then records the batch in the checkpoint, then empties the buffer. The file is saved before
    /// the checkpoint that names it, so an interruption between the two leaves a save the next open adopts.
    /// </summary>
    private async Task FlushLockedAsync(SharedFileBatchReason reason, CancellationToken cancellationToken)
    {
        if (_buffer.Count == 0)
        {
            return;
        }

        var batch = _checkpoint.Batch + 1;
        var updates = _buffer.ToArray();
        var expected = new HashSet<string>(_fileKeys, StringComparer.Ordinal);
        foreach (var row in updates)
        {
            expected.Add(row.Key);
        }

        var content = RenderBatch(updates, batch, cancellationToken);
        var sha = Hash(content);
        var attempts = await SaveFileAsync(content, sha, expected, batch, updates.Length, cancellationToken).ConfigureAwait(false);
        await RecordBatchAsync(updates, batch, content.Length, sha, expected.Count, reason, attempts, cancellationToken).ConfigureAwait(false);
        _current = content;
        _fileKeys.UnionWith(expected);
        _logger.LogDebug("Saved batch {Batch} of {File}: {Items} rows ({Reason}), {Rows} in the file", batch, FilePath, updates.Length, reason, expected.Count);
        ClearBuffer(reason);
    }

    /// <summary>The file's next content: the current file with <paramref name="updates"/> written in by the format.</summary>
    private byte[] RenderBatch(SharedFileRow<TRow>[] updates, int batch, CancellationToken cancellationToken)
    {
        using var destination = new MemoryStream();
        try
        {
            using var previous = _current is null ? null : new MemoryStream(_current, writable: false);
            _format.Write(previous, updates, destination, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw _saveError = new SharedFileSaveException(FilePath, batch, updates.Length, 1,
                new InvalidDataException($"The format {_format.GetType().Name} could not write the file: {ex.Message}", ex));
        }

        return destination.ToArray();
    }

    /// <summary>
    /// Replaces the file with <paramref name="content"/> (retried by the policy), after a durable backup of the
    /// current one; the new file is kept only when it reads back with the expected hash and keys. Returns the
    /// number of attempts.
    /// </summary>
    private async Task<int> SaveFileAsync(byte[] content, string sha, HashSet<string> expected, int batch, int rows, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var options = new AtomicWriteOptions { KeepBackup = _current is not null, Validate = stream => ValidateSaved(stream, sha, expected, rows) };
        try
        {
            await _retry.ExecuteAsync(
                _ =>
                {
                    attempts++;
                    if (_current is not null)
                    {
                        // The backup must be durable (folder fsync included) before the file is replaced: a disk that
                        // keeps the new file's name but drops the backup's would leave nothing to recognise the
                        // interrupted save by. AtomicFile's own backup below has the same content.
                        AtomicFile.WriteAllBytes(_fs, FilePath + AtomicFile.BackupSuffix, _current, null);
                    }

                    AtomicFile.Write(_fs, FilePath, s => s.Write(content), options);
                    return ValueTask.CompletedTask;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Batch {Batch} of {File} could not be saved after {Attempts} attempt(s): {Message}", batch, FilePath, attempts, ex.Message);
            throw _saveError = new SharedFileSaveException(FilePath, batch, rows, attempts, ex);
        }

        return attempts;
    }

    /// <summary>
    /// Records the saved batch in the checkpoint and writes it (retried by the policy). When the checkpoint
    /// cannot be written, the in-memory checkpoint and the file go back to the previous batch unless the new
    /// checkpoint reached the disk.
    /// </summary>
    private async Task RecordBatchAsync(SharedFileRow<TRow>[] updates, int batch, int fileLength, string sha, int rowsInFile, SharedFileBatchReason reason, int attempts, CancellationToken cancellationToken)
    {
        var before = _checkpoint.Clone();
        var now = _time.GetUtcNow();
        foreach (var row in updates)
        {
            _checkpoint.Complete(row.Key, batch);
        }

        _checkpoint.Batch = batch;
        _checkpoint.Sha256 = sha;
        _checkpoint.FileLength = fileLength;
        _checkpoint.TotalCostUsd += _bufferedCost;
        _checkpoint.AddBatch(new SharedFileBatchRecord(batch, updates.Length, rowsInFile, now, sha, _bufferedCost, reason));
        _checkpoint.UpdateLastRun(r => r with { Processed = r.Processed + updates.Length, Batches = r.Batches + 1 });
        try
        {
            await _retry.ExecuteAsync(ct => new ValueTask(WriteCheckpointCoreAsync(ct)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failure after the checkpoint's rename (its folder fsync) leaves the new checkpoint in place: the file
            // matches it, and rolling the file back would contradict it. Otherwise the old checkpoint stands, so the
            // file goes back to the version it records. Either way, if the disk then loses or keeps the new names, the
            // next open finds a consistent pair or an interrupted save it adopts.
            if (!IsCheckpointOnDisk(_lastCheckpointBytes))
            {
                _checkpoint = before;
                RollBack();
            }

            _logger.LogError(ex, "The checkpoint of batch {Batch} of {File} could not be written: {Message}", batch, FilePath, ex.Message);
            throw _saveError = new SharedFileSaveException(FilePath, batch, updates.Length, attempts, ex);
        }
    }

    /// <summary>Empties the buffer after a saved batch and adapts the next batch's size to what this one cost.</summary>
    private void ClearBuffer(SharedFileBatchReason reason)
    {
        var count = _buffer.Count;
        var bytes = _bufferedBytes;
        _buffer.Clear();
        _bufferIndex.Clear();
        _bufferedBytes = 0;
        _bufferedCost = 0;
        _oldest = null;
        Adapt(reason, count, bytes);
    }

    private void Adapt(SharedFileBatchReason reason, int count, long bytes)
    {
        if (_options.Policy.MaxBufferedBytes is not { } budget)
        {
            return;
        }

        if (reason == SharedFileBatchReason.Memory)
        {
            _itemLimit = Math.Max(1, count / 2);
            _logger.LogDebug("Buffered rows reached {Bytes} bytes: the batch limit shrinks to {Limit} items", bytes, _itemLimit);
        }
        else if (reason == SharedFileBatchReason.Items && bytes < budget / 2)
        {
            var max = _options.Policy.MaxItems ?? int.MaxValue;
            _itemLimit = (int)Math.Min(max, (long)_itemLimit * 2);
        }
    }

    /// <summary>The read-back check of a saved temp file: the bytes written, and through the format every expected key once.</summary>
    private void ValidateSaved(Stream stream, string sha, HashSet<string> expected, int batchItems)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        if (Hash(bytes) != sha)
        {
            // A transient I/O fault, not a format problem: retried like one.
            throw new IOException($"The saved file read back differs from what was written ({bytes.Length} bytes read).");
        }

        IReadOnlyList<SharedFileRow<TRow>> rows;
        try
        {
            rows = ReadRows(bytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidDataException($"The format {_format.GetType().Name} cannot read back the file it wrote: {ex.Message}", ex);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!seen.Add(row.Key))
            {
                throw new InvalidDataException($"The format {_format.GetType().Name} wrote key \"{row.Key}\" twice (a batch of {batchItems} rows).");
            }
        }

        if (!seen.SetEquals(expected))
        {
            var missing = expected.Where(k => !seen.Contains(k)).Take(10).ToList();
            var extra = seen.Where(k => !expected.Contains(k)).Take(10).ToList();
            throw new InvalidDataException($"The format {_format.GetType().Name} wrote {seen.Count} rows, expected {expected.Count}" +
                (missing.Count > 0 ? $"; missing: {string.Join(", ", missing)}" : "") + (extra.Count > 0 ? $"; unexpected: {string.Join(", ", extra)}" : "") + ".");
        }
    }

    private IReadOnlyList<SharedFileRow<TRow>> ReadRows(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return _format.Read(stream, CancellationToken.None);
    }

    private bool IsCheckpointOnDisk(byte[]? bytes)
    {
        try
        {
            return bytes is not null && _fs.FileExists(CheckpointPath) && _fs.ReadAllBytes(CheckpointPath).AsSpan().SequenceEqual(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void RollBack()
    {
        // The file is newer than the checkpoint now; put the last good version back so they agree. If this fails too,
        // the next open recognises an interrupted save (the backup matches the checkpoint) and adopts the new rows.
        try
        {
            if (_current is null)
            {
                _fs.Delete(FilePath);
                _fs.FsyncDirectory(Path.GetDirectoryName(FilePath)!);
            }
            else
            {
                AtomicFile.WriteAllBytes(_fs, FilePath, _current, null);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "Could not roll {File} back to its last good version: {Message}", FilePath, ex.Message);
        }
    }

    private async Task WriteCheckpointAsync(CancellationToken cancellationToken) =>
        await _retry.ExecuteAsync(ct => new ValueTask(WriteCheckpointCoreAsync(ct)), cancellationToken).ConfigureAwait(false);

    private Task WriteCheckpointCoreAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _checkpoint.UpdatedAt = _time.GetUtcNow();
        var bytes = _checkpoint.ToBytes();
        _lastCheckpointBytes = bytes;
        AtomicFile.WriteAllBytes(_fs, CheckpointPath, bytes, new AtomicWriteOptions
        {
            // Our own serializer wrote it (and its tests parse it); what needs proof is that the disk holds those bytes.
            Validate = stream =>
            {
                using var copy = new MemoryStream(bytes.Length);
                stream.CopyTo(copy);
                if (!copy.GetBuffer().AsSpan(0, (int)copy.Length).SequenceEqual(bytes))
                {
                    throw new IOException($"The checkpoint '{CheckpointPath}' read back differs from what was written.");
                }
            },
        });
        return Task.CompletedTask;
    }

    private async Task TimerLoopAsync(TimeSpan interval, CancellationToken stop)
    {
        var tick = TimeSpan.FromTicks(Math.Clamp(interval.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        try
        {
            while (true)
            {
                await Task.Delay(tick, _time, stop).ConfigureAwait(false);
                await _gate.WaitAsync(stop).ConfigureAwait(false);
                try
                {
                    if (_saveError is null && !_ended && _oldest is { } oldest && _time.GetUtcNow() - oldest >= interval)
                    {
                        await FlushLockedAsync(SharedFileBatchReason.Time, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Surfaced by the next AddAsync, FlushAsync or EndAsync.
            _timerError = ex;
        }
    }

    private async Task StopTimerAsync()
    {
        if (_timer is null)
        {
            return;
        }

        if (!_timerStop.IsCancellationRequested)
        {
            await _timerStop.CancelAsync().ConfigureAwait(false);
        }

        await _timer.ConfigureAwait(false);
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_timerError is { } error)
        {
            throw error is SharedFileSaveException ? error : new SharedFileSaveException(FilePath, _checkpoint.Batch + 1, _buffer.Count, 1, error);
        }

        if (_saveError is not null)
        {
            throw _saveError;
        }

        if (_ended)
        {
            throw new InvalidOperationException($"The run over '{FilePath}' has ended.");
        }
    }

    private void RebuildIndex()
    {
        _bufferIndex.Clear();
        for (var i = 0; i < _buffer.Count; i++)
        {
            _bufferIndex[_buffer[i].Key] = i;
        }
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
}
