using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Checkpointing.IO;
using CsvHelper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Checkpointing.Store;

namespace Checkpointing.Csv;

/// <summary>
/// A cumulative checkpoint CSV: the rows of a batch appended one book at a time, as soon as each is prepared,
/// so a run that dies before the batch file is written loses nothing. The file is
/// <c>&lt;dir&gt;/cumulative_checkpoint_YYYYMMDD_HHMM_{imprint}.csv</c>, in the same format as the batch file.
/// </summary>
/// <remarks>
/// Each append writes one whole row and fsyncs it; reopening after a crash trims a partial last row and
/// reports it, so the file only ever holds whole rows. Rows are keyed (e.g. by ISBN): a resumed run never
/// duplicates a book. One writer per imprint, enforced by an operating-system lock released when the
/// process dies. Works for any CsvHelper record type (<c>[LsiRecord]</c> or <c>[CsvRecord]</c>).
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed partial class CumulativeCsvCheckpoint<T> : IDisposable, IAsyncDisposable, IStageSaveHook<T>
{
    private readonly IFileSystem _fs;
    private readonly Func<T, string> _keySelector;
    private readonly CumulativeCsvOptions _options;
    private readonly CsvWriterOptions _writerOptions;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _header;
    private readonly List<(string Key, ReadOnlyMemory<byte> Bytes)> _rows = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private IDisposable? _lock;
    private IFileHandle? _handle;
    private long _committedLength;
    private bool _mustTruncate;
    private int _failedAppends;
    private DateTimeOffset _lastUpdated;

    private CumulativeCsvCheckpoint(IFileSystem fs, string path, string imprint, Func<T, string> keySelector, CumulativeCsvOptions options)
    {
        _fs = fs;
        FilePath = path;
        Imprint = imprint;
        _keySelector = keySelector;
        _options = options;
        _writerOptions = options.WriterOptions ?? CsvWriterOptions.For<T>();
        _logger = options.Logger ?? NullLogger.Instance;
        _time = options.TimeProvider ?? TimeProvider.System;
        _header = CsvRowScanner.HeaderBytes<T>(_writerOptions);
        _lastUpdated = _time.GetUtcNow();
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>The imprint.</summary>
    public string Imprint { get; }

    /// <summary>What opening found and repaired.</summary>
    public CumulativeCsvRecovery Recovery { get; private set; } = new(false, 0, null, 0);

    /// <summary>
    /// Whether the checkpoint could not be opened because of an I/O failure and appends do nothing
    /// (only without <see cref="CumulativeCsvOptions.FailOnIOError"/>).
    /// </summary>
    public bool IsDisabled { get; private set; }

    /// <summary>The file, the number of books in it, when it was last updated, the imprint and the pipeline id.</summary>
    public CheckpointInfo Info => new(FilePath, _rows.Count, _lastUpdated, Imprint, _options.PipelineId, _failedAppends);

    /// <summary>Whether a row with <paramref name="key"/> is in the file.</summary>
    public bool Contains(string key) => _index.ContainsKey(key);

    /// <summary>The keys of the rows, in file order.</summary>
    public IReadOnlyList<string> Keys => _rows.Select(r => r.Key).ToList();

    /// <summary>
    /// Opens the latest checkpoint file of <paramref name="imprint"/> in <paramref name="directory"/> (trimming a
    /// torn tail), or creates a new timestamped one with its header.
    /// </summary>
    /// <param name="directory">The folder of checkpoint files; <c>data</c> when <see langword="null"/>.</param>
    /// <param name="imprint">The imprint, part of the file name.</param>
    /// <param name="keySelector">The key of a row, such as its ISBN.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="CumulativeCsvLockedException">Another writer has the imprint's checkpoint open.</exception>
    /// <exception cref="CumulativeCsvException">The file is damaged beyond a torn tail, or an I/O failure with <see cref="CumulativeCsvOptions.FailOnIOError"/>.</exception>
    public static Task<CumulativeCsvCheckpoint<T>> OpenOrCreateAsync(string? directory, string imprint, Func<T, string> keySelector, CumulativeCsvOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenOrCreateAsync(PhysicalFileSystem.Instance, directory, imprint, keySelector, options, cancellationToken);

    internal static Task<CumulativeCsvCheckpoint<T>> OpenOrCreateAsync(IFileSystem fs, string? directory, string imprint, Func<T, string> keySelector, CumulativeCsvOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        CumulativeCsv.CheckImprint(imprint);
        cancellationToken.ThrowIfCancellationRequested();
        options ??= new CumulativeCsvOptions();
        directory = Path.GetFullPath(string.IsNullOrEmpty(directory) ? CumulativeCsv.DefaultDirectory : directory);
        if (options.Stage is { OutputTypeInfo: not JsonTypeInfo<T> })
        {
            throw new ArgumentException($"The stage's output type is {options.Stage.OutputTypeInfo.Type}, not the row type {typeof(T)}.", nameof(options));
        }

        var time = options.TimeProvider ?? TimeProvider.System;
        var newPath = Path.Combine(directory, CumulativeCsv.FileName(time.GetUtcNow(), imprint));
        var checkpoint = new CumulativeCsvCheckpoint<T>(fs, newPath, imprint, keySelector, options);
        try
        {
            if (!fs.DirectoryExists(directory))
            {
                fs.CreateDirectory(directory);
            }

            var lockPath = Path.Combine(directory, CumulativeCsv.LockFileName(imprint));
            checkpoint._lock = fs.TryAcquireLock(lockPath) ?? throw new CumulativeCsvLockedException(imprint, lockPath);
            // Only this imprint's temp files, and under its lock, so never a live writer's.
            AtomicFile.CleanupTempFiles(fs, directory, name =>
                name.StartsWith(".cumulative_checkpoint_", StringComparison.Ordinal) && name.Contains("_" + imprint + ".csv.", StringComparison.Ordinal));
            var existing = options.ResumeLatest ? CumulativeCsv.FindLatest(fs, directory, imprint) : null;
            // Two steps, so that the catch below releases the lock of the instance that holds it.
            checkpoint = existing is null ? checkpoint.WithFreeName() : checkpoint.WithPath(existing);
            checkpoint = existing is null ? checkpoint.Create() : checkpoint.Resume();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && ex is not (CumulativeCsvLockedException or CumulativeCsvException))
        {
            checkpoint.ReleaseLock();
            if (options.FailOnIOError)
            {
                throw new CumulativeCsvException($"Could not open the cumulative checkpoint CSV of imprint '{imprint}' in '{directory}': {ex.Message}", ex);
            }

            checkpoint._logger.LogWarning(ex, "Could not open the cumulative checkpoint CSV of imprint {Imprint} in {Directory}: {Message}. The pipeline continues without it", imprint, directory, ex.Message);
            checkpoint.IsDisabled = true;
        }
        catch
        {
            checkpoint.ReleaseLock();
            throw;
        }

        return Task.FromResult(checkpoint);
    }

    /// <summary>
    /// Appends the row of <paramref name="record"/>, durably, unless its key is already in the file (then the
    /// <see cref="CumulativeCsvOptions.Duplicates"/> policy decides). Usable as <c>StageDefinition.OnOutputSavedAsync</c>.
    /// </summary>
    /// <returns>What was done; <see cref="CsvAppendOutcome.Failed"/> after an I/O failure that was logged.</returns>
    /// <exception cref="CumulativeCsvException">An I/O failure with <see cref="CumulativeCsvOptions.FailOnIOError"/>.</exception>
    public async Task<CsvAppendOutcome> AppendAsync(T record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var key = _keySelector(record);
        if (string.IsNullOrWhiteSpace(key))
        {
            // An empty key is a book without its ISBN: a row nobody could find, replace or deduplicate.
            throw new ArgumentException($"The row of the cumulative checkpoint CSV '{FilePath}' has an empty key; a book needs its key (such as its ISBN) before it is appended.", nameof(record));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_lock is null && !IsDisabled, this);
            if (IsDisabled)
            {
                _failedAppends++;
                return CsvAppendOutcome.Failed;
            }

            var existing = _index.TryGetValue(key, out var index);
            if (existing && _options.Duplicates == DuplicateRowPolicy.Skip)
            {
                _logger.LogDebug("Book {Key} is already in {Path}; skipped", key, FilePath);
                return CsvAppendOutcome.SkippedDuplicate;
            }

            var row = CsvRowScanner.RowBytes(record, _writerOptions);
            try
            {
                if (existing)
                {
                    var rows = _rows.ToList();
                    rows[index] = (key, row);
                    Rewrite(rows);
                    _rows[index] = (key, row);
                    _lastUpdated = _time.GetUtcNow();
                    return CsvAppendOutcome.Replaced;
                }

                var handle = _handle ??= _fs.Open(FilePath, FileOpenMode.Append);
                if (_mustTruncate)
                {
                    handle.Truncate(_committedLength);
                    _mustTruncate = false;
                }

                await handle.WriteAsync(row, cancellationToken).ConfigureAwait(false);
                handle.Fsync();
                _committedLength += row.Length;
                _index[key] = _rows.Count;
                _rows.Add((key, row));
                _lastUpdated = _time.GetUtcNow();
                return CsvAppendOutcome.Appended;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _failedAppends++;
                RollBackPartialWrite();
                if (_options.FailOnIOError)
                {
                    throw new CumulativeCsvException($"Could not write book '{key}' to the cumulative checkpoint CSV '{FilePath}': {ex.Message}", ex);
                }

                _logger.LogWarning(ex, "Could not write book {Key} to the cumulative checkpoint CSV {Path}: {Message}. The pipeline continues; the book is missing from the checkpoint", key, FilePath, ex.Message);
                return CsvAppendOutcome.Failed;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A <c>StageDefinition&lt;TItem, T&gt;.OnOutputSavedAsync</c> hook: appends each output once it is saved,
    /// before its item is marked complete, so a book is in the checkpoint whenever the stage counts it done. Unlike
    /// <see cref="AppendAsync"/>, a failed append (disk full) throws a <see cref="CumulativeCsvException"/>: the item
    /// fails, is not marked, and the next run adds its row (the stage's item-failure policy applies). The same as
    /// this checkpoint's <see cref="IStageSaveHook{TOutput}"/>, which a <c>[CumulativeCsv]</c> stage uses.
    /// </summary>
    public Func<string, T, CancellationToken, ValueTask> OnOutputSavedAsync => AppendSavedOutputAsync;

    ValueTask IStageSaveHook<T>.OnOutputSavedAsync(string key, T output, CancellationToken cancellationToken) =>
        AppendSavedOutputAsync(key, output, cancellationToken);

    private async ValueTask AppendSavedOutputAsync(string itemKey, T record, CancellationToken cancellationToken)
    {
        if (await AppendAsync(record, cancellationToken).ConfigureAwait(false) == CsvAppendOutcome.Failed)
        {
            throw new CumulativeCsvException(IsDisabled
                ? $"The cumulative checkpoint CSV of imprint '{Imprint}' could not be opened, so item '{itemKey}' has no row; it is retried on the next run."
                : $"Could not append the row of item '{itemKey}' to the cumulative checkpoint CSV '{FilePath}' (see the warning logged before); it is retried on the next run.");
        }
    }

    /// <summary>
    /// Writes the batch CSV: the header and every row of the checkpoint, atomically (a crash leaves the old
    /// batch file or the new one) and checked before it replaces the target.
    /// </summary>
    /// <param name="batchPath">The batch file, such as the tranche's LSI CSV.</param>
    /// <param name="cancellationToken">Cancels writing.</param>
    /// <returns>The number of rows written.</returns>
    public Task<int> FinalizeAsync(string batchPath, CancellationToken cancellationToken = default) =>
        FinalizeCoreAsync(batchPath, null, cancellationToken);

    /// <summary>
    /// Writes the batch CSV like <see cref="FinalizeAsync(string, CancellationToken)"/>, with the rows ordered by key
    /// rather than in the order they were appended, which depends on which books finished first (parallel
    /// stages, resumed runs). Two runs over the same books then write the same batch file.
    /// </summary>
    /// <param name="batchPath">The batch file, such as the tranche's LSI CSV.</param>
    /// <param name="keyOrder">The order of the rows' keys, such as <see cref="StringComparer.Ordinal"/>.</param>
    /// <param name="cancellationToken">Cancels writing.</param>
    /// <returns>The number of rows written.</returns>
    public Task<int> FinalizeAsync(string batchPath, IComparer<string> keyOrder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyOrder);
        return FinalizeCoreAsync(batchPath, keyOrder, cancellationToken);
    }

    private async Task<int> FinalizeCoreAsync(string batchPath, IComparer<string>? keyOrder, CancellationToken cancellationToken)
    {
        if (_options.Stage is { } stage)
        {
            await AddMissingStageRowsAsync(stage, cancellationToken).ConfigureAwait(false);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var rows = keyOrder is null ? _rows.ToList() : _rows.OrderBy(r => r.Key, keyOrder).ToList();
            var readerOptions = _options.ReaderOptions ?? CsvReaderOptions.For<T>();
            var options = new AtomicWriteOptions
            {
                Validate = stream =>
                {
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    var scan = CsvRowScanner.Run(copy.ToArray(), _header, readerOptions, _keySelector, batchPath, validate: false);
                    if (scan.Errors.Count > 0 || scan.Rows.Count != rows.Count || scan.TornLine is not null)
                    {
                        throw new CumulativeCsvException($"The batch file '{batchPath}' did not read back as written: {string.Join("; ", scan.Errors.Take(5))}");
                    }
                },
            };
            await AtomicFile.WriteCoreAsync(_fs, batchPath, (stream, ct) => WriteAllAsync(stream, rows, ct), options, cancellationToken).ConfigureAwait(false);
            return rows.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes sure every item the stage counts complete has its row: a row lost to an append that failed without
    /// failing its item (a hook that swallowed the error, a file replaced by hand) is appended from the item's saved
    /// output. Items whose row cannot be added fail the finalize, named, rather than leave a batch without them.
    /// </summary>
    private async Task AddMissingStageRowsAsync(CumulativeCsvStage stage, CancellationToken cancellationToken)
    {
        var state = new FileCheckpointStore(stage.Root, _fs, _time).ReadState(stage.RunId, stage.StageName);
        if (state is null || state.Completed.Count == 0)
        {
            return;
        }

        var typeInfo = (JsonTypeInfo<T>)stage.OutputTypeInfo;
        var outputDirectory = Path.Combine(Path.GetFullPath(stage.Root), stage.RunId, stage.OutputDirectory);
        var problems = new List<string>();
        var added = new List<string>();
        foreach (var itemKey in state.Completed.Keys.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = StageOutputFile.GetPath(outputDirectory, itemKey);
            T row;
            try
            {
                row = StageOutputFile.Deserialize(_fs.ReadAllBytes(path), typeInfo).Output;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                problems.Add($"item '{itemKey}': its saved output '{path}' cannot be read ({e.Message})");
                continue;
            }

            var rowKey = _keySelector(row);
            if (Contains(rowKey))
            {
                continue;
            }

            CsvAppendOutcome outcome;
            try
            {
                outcome = await AppendAsync(row, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ArgumentException)
            {
                problems.Add($"item '{itemKey}' (row '{rowKey}'): {e.Message}");
                continue;
            }

            if (outcome == CsvAppendOutcome.Failed)
            {
                problems.Add($"item '{itemKey}' (row '{rowKey}'): the append failed (see the warning logged before)");
            }
            else
            {
                added.Add(rowKey);
            }
        }

        if (added.Count > 0)
        {
            _logger.LogWarning(
                "Cumulative checkpoint CSV {Path} lacked the rows of {Count} item(s) that stage {Stage} counts complete; they were added from the saved outputs: {Keys}",
                FilePath, added.Count, stage.StageName, string.Join(", ", added.Take(20)));
        }

        if (problems.Count > 0)
        {
            throw new CumulativeCsvException(
                $"The batch file was not written: {problems.Count} item(s) that stage '{stage.StageName}' counts complete have no row in '{FilePath}' and none could be added: " +
                string.Join("; ", problems.Take(20)) + (problems.Count > 20 ? $" (and {problems.Count - 20} more)" : ""));
        }
    }

    /// <summary>Closes the file and releases the lock.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _handle?.Dispose();
            _handle = null;
            ReleaseLock();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the file and releases the lock.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private CumulativeCsvCheckpoint<T> WithPath(string path)
    {
        var resumed = new CumulativeCsvCheckpoint<T>(_fs, path, Imprint, _keySelector, _options) { _lock = _lock };
        _lock = null;
        return resumed;
    }

    private CumulativeCsvCheckpoint<T> WithFreeName()
    {
        if (_fs.FileExists(FilePath))
        {
            // A new file in the minute of an existing one (ResumeLatest off, or a second run in the same minute):
            // never truncate its rows. The next free minute keeps the name's format and sorts after it as the latest.
            var directory = Path.GetDirectoryName(FilePath)!;
            var now = _time.GetUtcNow();
            string? free = null;
            for (var minutes = 1; minutes <= 24 * 60 && free is null; minutes++)
            {
                var candidate = Path.Combine(directory, CumulativeCsv.FileName(now.AddMinutes(minutes), Imprint));
                if (!_fs.FileExists(candidate))
                {
                    free = candidate;
                }
            }

            if (free is null)
            {
                throw new CumulativeCsvException($"The cumulative checkpoint CSV '{FilePath}' and the files of the next 24 hours of imprint '{Imprint}' already exist; no new file was created.");
            }

            _logger.LogInformation("Cumulative checkpoint CSV {Path} exists and is kept; the new one is {NewPath}", FilePath, free);
            return WithPath(free);
        }

        return this;
    }

    private CumulativeCsvCheckpoint<T> Create()
    {
        // The lock is held and the name is free: a plain atomic create cannot replace another writer's file.
        AtomicFile.Write(_fs, FilePath, stream => stream.Write(_header), null);
        _committedLength = _header.Length;
        Recovery = new CumulativeCsvRecovery(false, 0, null, 0);
        return this;
    }

    private CumulativeCsvCheckpoint<T> Resume()
    {
        var bytes = _fs.ReadAllBytes(FilePath);
        var readerOptions = _options.ReaderOptions ?? CsvReaderOptions.For<T>();
        CsvRowScanner.Scan scan;
        try
        {
            scan = CsvRowScanner.Run(bytes, _header, readerOptions, _keySelector, FilePath, validate: false);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or InvalidOperationException)
        {
            // A damaged file can defeat the record mapper itself: report it like any other damage.
            throw new CumulativeCsvException($"The cumulative checkpoint CSV '{FilePath}' could not be read ({e.Message}) and was left as it is", e);
        }

        if (scan.Errors.Count > 0)
        {
            throw new CumulativeCsvException(
                $"The cumulative checkpoint CSV '{FilePath}' is damaged beyond a partial last row and was left as it is: " +
                string.Join("; ", scan.Errors.Take(5)) + (scan.Errors.Count > 5 ? $" (and {scan.Errors.Count - 5} more)" : ""));
        }

        var duplicates = 0;
        foreach (var row in scan.Rows)
        {
            if (_index.TryGetValue(row.Key, out var index))
            {
                // Only a file edited by hand or by another tool has duplicates; the policy picks which row stays.
                duplicates++;
                if (_options.Duplicates == DuplicateRowPolicy.Replace)
                {
                    _rows[index] = (row.Key, row.Bytes);
                }

                continue;
            }

            _index[row.Key] = _rows.Count;
            _rows.Add((row.Key, row.Bytes));
        }

        var trimmed = bytes.Length - scan.CommittedLength;
        if (duplicates > 0 || scan.CommittedLength < _header.Length)
        {
            Rewrite(_rows);
        }
        else if (trimmed > 0)
        {
            using var handle = _fs.Open(FilePath, FileOpenMode.OpenExisting);
            handle.Truncate(scan.CommittedLength);
            handle.Fsync();
            _committedLength = scan.CommittedLength;
        }
        else
        {
            _committedLength = bytes.Length;
        }

        Recovery = new CumulativeCsvRecovery(true, trimmed, trimmed > 0 ? scan.TornLine : null, duplicates);
        if (trimmed > 0 || duplicates > 0)
        {
            _logger.LogWarning("Cumulative checkpoint CSV {Path}: {Recovery}", FilePath, Recovery);
        }

        return this;
    }

    /// <summary>Replaces the file with the header and <paramref name="rows"/>, atomically, and reopens it for appends.</summary>
    private void Rewrite(List<(string Key, ReadOnlyMemory<byte> Bytes)> rows)
    {
        _handle?.Dispose();
        _handle = null;
        AtomicFile.Write(_fs, FilePath, stream =>
        {
            stream.Write(_header);
            foreach (var row in rows)
            {
                stream.Write(row.Bytes.Span);
            }
        }, null);
        _committedLength = _header.Length + rows.Sum(r => (long)r.Bytes.Length);
        _mustTruncate = false;
    }

    private async Task WriteAllAsync(Stream stream, List<(string Key, ReadOnlyMemory<byte> Bytes)> rows, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await stream.WriteAsync(row.Bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cuts what a failed write left after the last whole row; if that fails too, the next append does it.</summary>
    private void RollBackPartialWrite()
    {
        _mustTruncate = true;
        try
        {
            if (_handle is not null)
            {
                _handle.Truncate(_committedLength);
                _mustTruncate = false;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug(ex, "Could not cut the partial row of {Path} yet", FilePath);
        }
    }

    private void ReleaseLock()
    {
        _lock?.Dispose();
        _lock = null;
    }
}

/// <summary>Recovery utilities of cumulative checkpoint CSV files: find, validate, compare.</summary>
public static partial class CumulativeCsv
{
    /// <summary>The folder of checkpoint files when none is given.</summary>
    public const string DefaultDirectory = "data";

    /// <summary>The file name of a checkpoint created at <paramref name="createdAt"/> (UTC): <c>cumulative_checkpoint_YYYYMMDD_HHMM_{imprint}.csv</c>.</summary>
    public static string FileName(DateTimeOffset createdAt, string imprint) =>
        $"cumulative_checkpoint_{createdAt.UtcDateTime.ToString("yyyyMMdd_HHmm", CultureInfo.InvariantCulture)}_{imprint}.csv";

    /// <summary>The latest checkpoint file of <paramref name="imprint"/> in <paramref name="directory"/>; <see langword="null"/> when there is none.</summary>
    public static string? FindLatest(string? directory, string imprint) =>
        FindLatest(PhysicalFileSystem.Instance, Path.GetFullPath(string.IsNullOrEmpty(directory) ? DefaultDirectory : directory), imprint);

    /// <summary>
    /// Checks a checkpoint (or batch) file: the header matches <typeparamref name="T"/>, every row parses and,
    /// for <c>[LsiRecord]</c> types, validates, keys are unique, no partial last row. Errors name the line.
    /// </summary>
    public static CsvFileReport Validate<T>(string path, Func<T, string> keySelector, CsvWriterOptions? writerOptions = null, CsvReaderOptions? readerOptions = null)
    {
        var scan = ScanFile(path, keySelector, writerOptions, readerOptions, validate: true);
        var errors = scan.Errors.ToList();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in scan.Rows)
        {
            if (!seen.TryAdd(row.Key, row.Line))
            {
                errors.Add($"{path}, line {row.Line}: key '{row.Key}' is also on line {seen[row.Key]}");
            }
        }

        if (scan.TornLine is { } torn)
        {
            errors.Add($"{path}, line {torn}: partial last row (a write cut by a crash); opening the checkpoint trims it");
        }

        return new CsvFileReport(path, scan.HeaderMatches, scan.Rows.Count, errors);
    }

    /// <summary>Compares the rows of a checkpoint with those of a batch file, by key.</summary>
    /// <returns>Keys missing from the batch, extra in the batch, and present in both with different rows.</returns>
    public static CsvComparison Compare<T>(string checkpointPath, string batchPath, Func<T, string> keySelector, CsvWriterOptions? writerOptions = null, CsvReaderOptions? readerOptions = null)
    {
        var checkpoint = ScanFile(checkpointPath, keySelector, writerOptions, readerOptions, validate: false);
        var batch = ScanFile(batchPath, keySelector, writerOptions, readerOptions, validate: false, finalRowMayLackLineBreak: true);
        var problems = checkpoint.Errors.Concat(batch.Errors).ToList();
        var batchRows = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var row in batch.Rows)
        {
            batchRows.TryAdd(row.Key, row.Bytes);
        }

        var checkpointKeys = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var different = new List<string>();
        foreach (var row in checkpoint.Rows)
        {
            if (!checkpointKeys.Add(row.Key))
            {
                continue;
            }

            if (!batchRows.TryGetValue(row.Key, out var other))
            {
                missing.Add(row.Key);
            }
            else if (!TrimLineBreak(other.Span).SequenceEqual(TrimLineBreak(row.Bytes.Span)))
            {
                different.Add(row.Key);
            }
        }

        var extra = batch.Rows.Select(r => r.Key).Where(k => !checkpointKeys.Contains(k)).Distinct().ToList();
        return new CsvComparison(missing, extra, different, problems);
    }

    /// <summary>
    /// Compares the rows of a batch (or checkpoint) file with the keys it should hold, such as a tranche's list of
    /// ISBNs or its series numbers 1 to <c>book_count</c>: the batch file of a tranche of 69 books that holds 68
    /// names the missing one. A last row without a line break counts (LSI's own files end that way).
    /// </summary>
    /// <returns>Expected keys missing from the file, keys not expected, keys on more than one row, rows that could not be read.</returns>
    public static CsvKeyComparison CompareKeys<T>(IEnumerable<string> expectedKeys, string batchPath, Func<T, string> keySelector, CsvWriterOptions? writerOptions = null, CsvReaderOptions? readerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(expectedKeys);
        var batch = ScanFile(batchPath, keySelector, writerOptions, readerOptions, validate: false, finalRowMayLackLineBreak: true);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var inBatch = batch.Rows.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in expectedKeys)
        {
            if (expected.Add(key) && !inBatch.Contains(key))
            {
                missing.Add(key);
            }
        }

        var extra = batch.Rows.Select(r => r.Key).Where(k => !expected.Contains(k)).Distinct().ToList();
        var repeated = batch.Rows.GroupBy(r => r.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var problems = batch.Errors.ToList();
        if (batch.TornLine is { } torn)
        {
            problems.Add($"{batchPath}, line {torn}: the last row is cut off");
        }

        return new CsvKeyComparison(batchPath, missing, extra, repeated, problems);
    }

    internal static string? FindLatest(IFileSystem fs, string directory, string imprint)
    {
        string? best = null;
        string? bestStamp = null;
        foreach (var name in fs.ListFiles(directory))
        {
            var match = FileNamePattern().Match(name);
            if (!match.Success || match.Groups[2].Value != imprint)
            {
                continue;
            }

            var stamp = match.Groups[1].Value;
            if (bestStamp is null || string.CompareOrdinal(stamp, bestStamp) > 0)
            {
                (best, bestStamp) = (name, stamp);
            }
        }

        return best is null ? null : Path.Combine(directory, best);
    }

    internal static string LockFileName(string imprint) => $".cumulative_checkpoint_{imprint}.lock";

    internal static void CheckImprint(string imprint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imprint);
        if (FileNameRules.GetProblem(imprint) is { } problem)
        {
            throw new ArgumentException($"Imprint '{imprint}' cannot be part of a file name: {problem}; use letters, digits, '-' and '_'.", nameof(imprint));
        }
    }

    private static CsvRowScanner.Scan ScanFile<T>(string path, Func<T, string> keySelector, CsvWriterOptions? writerOptions, CsvReaderOptions? readerOptions, bool validate, bool finalRowMayLackLineBreak = false)
    {
        var header = CsvRowScanner.HeaderBytes<T>(writerOptions ?? CsvWriterOptions.For<T>());
        var bytes = PhysicalFileSystem.Instance.ReadAllBytes(path);
        return CsvRowScanner.Run(bytes, header, readerOptions ?? CsvReaderOptions.For<T>(), keySelector, path, validate, finalRowMayLackLineBreak);
    }

    private static ReadOnlySpan<byte> TrimLineBreak(ReadOnlySpan<byte> row) => row.TrimEnd("\r\n"u8);

    [GeneratedRegex(@"^cumulative_checkpoint_(\d{8}_\d{4})_(.+)\.csv$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}

/// <summary>The result of <see cref="CumulativeCsv.Validate{T}"/>.</summary>
/// <param name="Path">The file.</param>
/// <param name="HeaderMatches">Whether the header is the header of the record type.</param>
/// <param name="Rows">The whole rows that parsed.</param>
/// <param name="Errors">Each problem, naming the file and line.</param>
public sealed record CsvFileReport(string Path, bool HeaderMatches, int Rows, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the file has no problems.</summary>
    public bool IsValid => HeaderMatches && Errors.Count == 0;
}

/// <summary>The result of <see cref="CumulativeCsv.CompareKeys{T}"/>.</summary>
/// <param name="Path">The file compared.</param>
/// <param name="Missing">Expected keys with no row in the file.</param>
/// <param name="Unexpected">Keys of rows that were not expected.</param>
/// <param name="Repeated">Keys on more than one row.</param>
/// <param name="Problems">Rows that could not be read.</param>
public sealed record CsvKeyComparison(string Path, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> Repeated, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the file holds exactly the expected keys, once each.</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Repeated.Count == 0 && Problems.Count == 0;

    /// <inheritdoc/>
    public override string ToString() =>
        IsComplete
            ? $"{Path}: every expected key, once"
            : $"{Path}: {Missing.Count} missing ({string.Join(", ", Missing.Take(20))}), {Unexpected.Count} unexpected ({string.Join(", ", Unexpected.Take(20))}), " +
              $"{Repeated.Count} repeated ({string.Join(", ", Repeated.Take(20))}), {Problems.Count} unreadable row(s)";
}

/// <summary>The result of <see cref="CumulativeCsv.Compare{T}"/>.</summary>
/// <param name="MissingFromBatch">Keys in the checkpoint but not in the batch file.</param>
/// <param name="ExtraInBatch">Keys in the batch file but not in the checkpoint.</param>
/// <param name="Different">Keys in both whose rows differ.</param>
/// <param name="Problems">Rows of either file that could not be read.</param>
public sealed record CsvComparison(IReadOnlyList<string> MissingFromBatch, IReadOnlyList<string> ExtraInBatch, IReadOnlyList<string> Different, IReadOnlyList<string> Problems)
{
    /// <summary>Whether both files hold the same rows.</summary>
    public bool IsIdentical => MissingFromBatch.Count == 0 && ExtraInBatch.Count == 0 && Different.Count == 0 && Problems.Count == 0;
}
