using System.Text.Json.Serialization.Metadata;
using Checkpointing.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Checkpointing.Phases;

/// <summary>
/// Whole-state snapshots of an iterative phase (one accumulator, not one output per item): save the state
/// now and then, resume from the latest valid snapshot. Each snapshot is a new file
/// <c>&lt;Root&gt;/&lt;Phase&gt;/checkpoint_yyyyMMdd_HHmmss_iterN_seqM.json</c> written atomically and streamed;
/// the latest is the valid one with the highest sequence and the current inputs' fingerprint. See
/// docs/phase-snapshots.md for the format.
/// </summary>
/// <remarks>
/// One process at a time: <see cref="OpenAsync(PhaseCheckpointOptions, JsonTypeInfo{TState}, CancellationToken)"/>
/// takes an operating-system lock on the phase folder, held until disposal. The state is serialized with
/// the caller's source-generated <see cref="JsonTypeInfo{T}"/> (trim and AOT safe). Resume by identity:
/// keep in the state which items are folded in (not a count), and skip those.
/// </remarks>
/// <typeparam name="TState">The phase's state.</typeparam>
public sealed class PhaseCheckpoint<TState> : IDisposable, IAsyncDisposable
{
    private readonly IFileSystem _fs;
    private readonly PhaseCheckpointOptions _options;
    private readonly JsonTypeInfo<TState> _typeInfo;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IDisposable? _lock;
    private long _lastSequence;
    private long? _lastSaveTimestamp;

    private PhaseCheckpoint(IFileSystem fs, PhaseCheckpointOptions options, JsonTypeInfo<TState> typeInfo, string directory)
    {
        _fs = fs;
        _options = options;
        _typeInfo = typeInfo;
        _logger = options.Logger ?? NullLogger.Instance;
        _time = options.TimeProvider ?? TimeProvider.System;
        Directory = directory;
    }

    /// <summary>The phase.</summary>
    public string Phase => _options.Phase;

    /// <summary>The phase folder, <c>&lt;Root&gt;/&lt;Phase&gt;</c>.</summary>
    public string Directory { get; }

    /// <summary>The file of the last snapshot this instance saved, or <see langword="null"/>.</summary>
    public string? LastSavedPath { get; private set; }

    /// <summary>
    /// Opens a phase: checks the options, creates the folder, takes its lock and removes the temp files of
    /// saves cut short by a crash.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="stateTypeInfo">The state's JSON type info, e.g. <c>AppJsonContext.Default.Consolidation</c>.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="ArgumentException">An option is invalid, e.g. a phase name such as <c>../../x</c>.</exception>
    /// <exception cref="PhaseLockedException">The phase is open elsewhere (the message names the holder).</exception>
    public static Task<PhaseCheckpoint<TState>> OpenAsync(PhaseCheckpointOptions options, JsonTypeInfo<TState> stateTypeInfo, CancellationToken cancellationToken = default) =>
        OpenAsync(PhysicalFileSystem.Instance, options, stateTypeInfo, cancellationToken);

    internal static Task<PhaseCheckpoint<TState>> OpenAsync(IFileSystem fs, PhaseCheckpointOptions options, JsonTypeInfo<TState> stateTypeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stateTypeInfo);
        Check(options);
        cancellationToken.ThrowIfCancellationRequested();
        var directory = Path.Combine(Path.GetFullPath(options.Root), options.Phase);
        var checkpoint = new PhaseCheckpoint<TState>(fs, options, stateTypeInfo, directory);
        fs.CreateDirectory(directory);
        checkpoint._lock = PhaseLock.Acquire(fs, checkpoint._time, directory, options.Phase);
        try
        {
            var removed = AtomicFile.CleanupTempFiles(fs, directory);
            if (removed > 0)
            {
                checkpoint._logger.LogInformation("Phase {Phase}: removed {Count} temp file(s) of saves cut short", options.Phase, removed);
            }
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }

        return Task.FromResult(checkpoint);
    }

    /// <summary>
    /// The latest valid snapshot of the current inputs: the highest sequence whose file is whole, of a known
    /// version, of <see cref="PhaseCheckpointOptions.InputFingerprint"/> (when set) and whose state reads as
    /// <typeparamref name="TState"/>. Every snapshot passed over is logged as a warning naming the file and why.
    /// </summary>
    /// <returns>The snapshot, or <see langword="null"/> when there is none to resume from.</returns>
    public async Task<PhaseSnapshot<TState>?> LoadLatestAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var candidates = new List<(string Path, long Sequence)>();
            foreach (var name in _fs.ListFiles(Directory))
            {
                if (PhaseSnapshotFile.TryParseFileName(name, out _, out _, out var sequence))
                {
                    candidates.Add((Path.Combine(Directory, name), sequence));
                }
                else if (PhaseSnapshotFile.IsSnapshotCandidate(name))
                {
                    _logger.LogWarning("Phase {Phase}: ignored {File}: its name is not checkpoint_yyyyMMdd_HHmmss_iterN_seqM.json", Phase, name);
                }
            }

            // The name's sequence orders the candidates; the content must agree with it to be valid, so the
            // first valid one is the one with the highest sequence, and only it is read whole.
            foreach (var (path, _) in candidates.OrderByDescending(c => c.Sequence).ThenByDescending(c => c.Path, StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (TryRead(path) is { } snapshot)
                {
                    _logger.LogInformation(
                        "Phase {Phase}: latest snapshot {File} (iteration {Iteration}, sequence {Sequence}, saved {SavedAt:O}{Complete})",
                        Phase, Path.GetFileName(path), snapshot.Iteration, snapshot.Sequence, snapshot.SavedAt, snapshot.IsComplete ? ", complete" : "");
                    return snapshot;
                }
            }

            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Saves <paramref name="state"/> as a new snapshot, unless this process saved less than
    /// <see cref="PhaseCheckpointOptions.MinSaveInterval"/> ago and <paramref name="force"/> is false (the first
    /// save always writes). On success, retention removes expired and surplus snapshots, never this one.
    /// </summary>
    /// <param name="iteration">The caller's iteration counter (0 or more), recorded in the name and the file.</param>
    /// <param name="state">The state; streamed to the file, never copied whole.</param>
    /// <param name="metadata">Free-form strings saved with it, or <see langword="null"/>.</param>
    /// <param name="force">Save even within the interval.</param>
    /// <param name="cancellationToken">Cancels the save; the previous snapshots stay as they were.</param>
    /// <returns><see langword="true"/> when a snapshot was written and is durable; <see langword="false"/> when throttled.</returns>
    /// <exception cref="IOException">The snapshot could not be written (e.g. the disk is full); the previous ones stay valid.</exception>
    public Task<bool> SaveAsync(long iteration, TState state, IReadOnlyDictionary<string, string>? metadata = null, bool force = false, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(iteration, state, metadata, force, complete: false, cancellationToken);

    /// <summary>
    /// Saves the final state of a finished phase, always (never throttled), marked <c>complete</c>; a later run
    /// of the same inputs finds it with <see cref="PhaseSnapshot{TState}.IsComplete"/> set.
    /// </summary>
    /// <returns>The snapshot file.</returns>
    /// <inheritdoc cref="SaveAsync" path="/param"/>
    /// <exception cref="IOException">The snapshot could not be written (e.g. the disk is full); the previous ones stay valid.</exception>
    public async Task<string> CompleteAsync(long iteration, TState state, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        await SaveCoreAsync(iteration, state, metadata, force: true, complete: true, cancellationToken).ConfigureAwait(false);
        return LastSavedPath!;
    }

    /// <summary>
    /// Every snapshot file of the phase, valid or not, newest (highest sequence) first, with its iteration,
    /// time, age, size and, when invalid, the problem. Reads each file whole to check it.
    /// </summary>
    public IReadOnlyList<PhaseSnapshotInfo> List()
    {
        ThrowIfDisposed();
        var now = _time.GetUtcNow();
        return _fs.ListFiles(Directory)
            .Where(PhaseSnapshotFile.IsSnapshotCandidate)
            .Select(name => PhaseSnapshotFile.Inspect(_fs, Path.Combine(Directory, name), now))
            .OrderByDescending(i => i.Sequence ?? long.MinValue)
            .ThenByDescending(i => i.FileName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Counts, bytes and the age of the newest valid snapshot (see <see cref="List"/>).</summary>
    public PhaseCheckpointStats GetStats()
    {
        var all = List();
        var newest = all.FirstOrDefault(i => i.IsValid);
        return new PhaseCheckpointStats(all.Count, all.Count(i => i.IsValid), all.Sum(i => i.SizeBytes), newest?.Age, newest?.Sequence);
    }

    /// <summary>
    /// Removes every snapshot of the phase (all <c>checkpoint_*.json</c> files) and leftover temp files: the
    /// next run starts over. Sequences keep increasing.
    /// </summary>
    /// <returns>The number of snapshot files removed.</returns>
    public async Task<int> ClearAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            _lastSequence = Math.Max(_lastSequence, HighestSequenceOnDisk());
            var removed = 0;
            foreach (var name in _fs.ListFiles(Directory).Where(PhaseSnapshotFile.IsSnapshotCandidate))
            {
                _fs.Delete(Path.Combine(Directory, name));
                removed++;
            }

            AtomicFile.CleanupTempFiles(_fs, Directory);
            _fs.FsyncDirectory(Directory);
            _lastSaveTimestamp = null;
            _logger.LogInformation("Phase {Phase}: cleared {Count} snapshot(s)", Phase, removed);
            return removed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the phase's lock.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _lock, null)?.Dispose();
    }

    /// <summary>Releases the phase's lock.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> SaveCoreAsync(long iteration, TState state, IReadOnlyDictionary<string, string>? metadata, bool force, bool complete, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentNullException.ThrowIfNull(state);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (!force && _lastSaveTimestamp is { } last && _time.GetElapsedTime(last) < _options.MinSaveInterval)
            {
                _logger.LogDebug("Phase {Phase}: save of iteration {Iteration} skipped, the last one was {Elapsed} ago", Phase, iteration, _time.GetElapsedTime(last));
                return false;
            }

            // A sequence is never reused, even after a failed save: the failure may come after the rename
            // (the folder's fsync), leaving a whole file under that name.
            var sequence = _lastSequence = Math.Max(_lastSequence, HighestSequenceOnDisk()) + 1;
            var savedAt = _time.GetUtcNow();
            var path = Path.Combine(Directory, PhaseSnapshotFile.GetFileName(savedAt, iteration, sequence));
            try
            {
                await AtomicFile.WriteCoreAsync(
                    _fs,
                    path,
                    (stream, _) =>
                    {
                        // Synchronous on purpose: the serializer writes through a bounded buffer straight to
                        // the file, which no Stream-based async serialization does for a source-generated type.
                        PhaseSnapshotFile.Write(stream, Phase, iteration, sequence, savedAt, complete, _options.InputFingerprint, state, _typeInfo, metadata);
                        return Task.CompletedTask;
                    },
                    null,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"Phase '{Phase}': could not save snapshot '{path}' (iteration {iteration}): {e.Message}. The previous snapshots are unchanged.", e);
            }

            _lastSaveTimestamp = _time.GetTimestamp();
            LastSavedPath = path;
            _logger.LogDebug("Phase {Phase}: saved {File}", Phase, Path.GetFileName(path));
            ApplyRetention(path, savedAt);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private long HighestSequenceOnDisk()
    {
        var highest = 0L;
        foreach (var name in _fs.ListFiles(Directory))
        {
            if (PhaseSnapshotFile.TryParseFileName(name, out _, out _, out var sequence))
            {
                highest = Math.Max(highest, sequence);
            }
        }

        return highest;
    }

    /// <summary>Runs after a save is durable, so a crash here leaves at least the new snapshot.</summary>
    private void ApplyRetention(string newest, DateTimeOffset now)
    {
        var others = new List<(string Path, long Sequence, DateTimeOffset SavedAt)>();
        foreach (var name in _fs.ListFiles(Directory))
        {
            var path = Path.Combine(Directory, name);
            if (path != newest && PhaseSnapshotFile.TryParseFileName(name, out var savedAt, out _, out var sequence))
            {
                others.Add((path, sequence, savedAt));
            }
        }

        var expired = _options.Ttl is { } ttl ? others.Where(o => now - o.SavedAt > ttl).ToList() : [];
        var surplus = others.Except(expired).OrderByDescending(o => o.Sequence).Skip(_options.MaxSnapshots - 1);
        var removed = 0;
        foreach (var (path, _, _) in expired.Concat(surplus))
        {
            try
            {
                _fs.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(e, "Phase {Phase}: could not remove old snapshot {File}: {Message}; the next save tries again", Phase, Path.GetFileName(path), e.Message);
            }
        }

        // No fsync of the folder for the removals: a removal that a power cut undoes only brings back an
        // old snapshot, which the next save removes again. The save itself is already durable.
        if (removed > 0)
        {
            _logger.LogDebug("Phase {Phase}: retention removed {Count} snapshot(s)", Phase, removed);
        }
    }

    private PhaseSnapshot<TState>? TryRead(string path)
    {
        var file = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = _fs.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Phase {Phase}: skipped snapshot {File}: it cannot be read ({Message}); trying an older one", Phase, file, e.Message);
            return null;
        }

        var header = PhaseSnapshotFile.ReadHeader(bytes, path);
        if (header.Problem is { } problem)
        {
            _logger.LogWarning("Phase {Phase}: skipped snapshot {File}: {Problem}; trying an older one", Phase, file, problem);
            return null;
        }

        if (_options.InputFingerprint is { } current && header.InputFingerprint != current.Value)
        {
            _logger.LogWarning(
                "Phase {Phase}: skipped snapshot {File}: it was computed from other inputs (fingerprint {Saved}, now {Current}){Complete}",
                Phase, file, header.InputFingerprint ?? "none", current.Value, header.Complete ? "; the completed phase is redone" : "");
            return null;
        }

        TState state;
        try
        {
            state = PhaseSnapshotFile.ReadState(bytes, header, _typeInfo);
        }
        catch (FormatException e)
        {
            _logger.LogWarning("Phase {Phase}: skipped snapshot {File}: {Problem}; trying an older one", Phase, file, e.Message);
            return null;
        }

        return new PhaseSnapshot<TState>
        {
            Path = path,
            Iteration = header.Iteration!.Value,
            Sequence = header.Sequence!.Value,
            SavedAt = header.SavedAt!.Value,
            IsComplete = header.Complete,
            InputFingerprint = header.InputFingerprint is { } value ? PhaseFingerprint.Parse(value) : null,
            State = state,
            Metadata = header.Metadata ?? [],
        };
    }

    private static void Check(PhaseCheckpointOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.Root, nameof(options));
        if (CheckpointKeys.GetProblem(options.Phase) is { } problem)
        {
            throw new ArgumentException($"Phase name \"{options.Phase}\" cannot be used as a folder name: {problem}.", nameof(options));
        }

        if (options.MinSaveInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"MinSaveInterval is {options.MinSaveInterval}; it must be zero (save every time) or positive.", nameof(options));
        }

        if (options.Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Ttl is {ttl}; it must be positive, or null to keep snapshots regardless of age.", nameof(options));
        }

        if (options.MaxSnapshots < 1)
        {
            throw new ArgumentException($"MaxSnapshots is {options.MaxSnapshots}; at least 1 snapshot must be kept.", nameof(options));
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_lock is null, this);
}
