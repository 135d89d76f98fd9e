using System.Text.Json;
using Checkpointing.IO;

namespace Checkpointing.Store;

/// <summary>
/// The embedded checkpoint store: per stage, a snapshot <c>&lt;root&gt;/&lt;runId&gt;/checkpoints/&lt;stage&gt;.json</c>,
/// an append-only journal <c>&lt;stage&gt;.journal</c> (one checksummed record per line) compacted into the
/// snapshot, and a lock file <c>&lt;stage&gt;.lock</c> with its holder in <c>&lt;stage&gt;.lock.json</c>.
/// </summary>
public sealed class FileCheckpointStore : ICheckpointStore
{
    private readonly IFileSystem _fs;
    private readonly TimeProvider _time;

    /// <summary>Creates a store under <paramref name="root"/>.</summary>
    public FileCheckpointStore(string root)
        : this(root, PhysicalFileSystem.Instance, TimeProvider.System)
    {
    }

    /// <summary>Creates a store under <paramref name="root"/> whose lock and journal timestamps come from <paramref name="timeProvider"/>.</summary>
    public FileCheckpointStore(string root, TimeProvider timeProvider)
        : this(root, PhysicalFileSystem.Instance, timeProvider ?? throw new ArgumentNullException(nameof(timeProvider)))
    {
    }

    internal FileCheckpointStore(string root, IFileSystem fileSystem, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _fs = fileSystem;
        _time = time;
    }

    /// <summary>The storage root.</summary>
    public string Root { get; }

    /// <summary>The folder of a run's checkpoints: <c>&lt;root&gt;/&lt;runId&gt;/checkpoints</c>.</summary>
    internal string GetCheckpointDirectory(string runId) => Path.Combine(Root, runId, "checkpoints");

    /// <summary>The snapshot file of a stage.</summary>
    internal string GetSnapshotPath(string runId, string stageName) => Path.Combine(GetCheckpointDirectory(runId), stageName + ".json");

    /// <summary>The journal file of a stage.</summary>
    internal string GetJournalPath(string runId, string stageName) => Path.Combine(GetCheckpointDirectory(runId), stageName + ".journal");

    /// <inheritdoc />
    public Task<ICheckpointJournal> OpenAsync(CheckpointOpenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        StageNames.ThrowIfInvalid(request.StageName, request.RunId);
        cancellationToken.ThrowIfCancellationRequested();
        var directory = GetCheckpointDirectory(request.RunId);
        _fs.CreateDirectory(directory);
        var lockPath = Path.Combine(directory, request.StageName + ".lock");
        var infoPath = lockPath + ".json";
        var handle = AcquireLock(request.StageName, lockPath);
        if (handle is null)
        {
            var (pid, host, since) = ReadLockInfo(infoPath);
            throw new CheckpointLockedException(request.StageName, lockPath, pid, host, since);
        }

        try
        {
            WriteLockInfo(infoPath);
            AtomicFile.CleanupTempFiles(_fs, directory);
            var journal = FileCheckpointJournal.Open(
                _fs, _time, request, GetSnapshotPath(request.RunId, request.StageName),
                GetJournalPath(request.RunId, request.StageName), handle, infoPath);
            return Task.FromResult<ICheckpointJournal>(journal);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads a stage's current state without taking its lock (for monitors): the snapshot with the
    /// journal's complete records applied. Returns <see langword="null"/> when the stage never ran.
    /// </summary>
    public StageCheckpointDocument? ReadState(string runId, string stageName)
    {
        StageNames.ThrowIfInvalid(stageName, runId);
        var snapshotPath = GetSnapshotPath(runId, stageName);
        var journalPath = GetJournalPath(runId, stageName);
        if (!_fs.FileExists(snapshotPath) && !_fs.FileExists(journalPath))
        {
            return null;
        }

        var document = _fs.FileExists(snapshotPath)
            ? FileCheckpointJournal.ReadSnapshot(_fs, snapshotPath)
            : new StageCheckpointDocument { Stage = stageName, RunId = runId };
        if (_fs.FileExists(journalPath))
        {
            foreach (var record in JournalFormat.ReadValidRecords(_fs.ReadAllBytes(journalPath), out _, out _))
            {
                document.Apply(record);
            }
        }

        return document;
    }

    /// <summary>Reads a stage's state under <paramref name="root"/> (see <see cref="ReadState(string, string)"/>).</summary>
    public static StageCheckpointDocument? ReadState(string root, string runId, string stageName) =>
        new FileCheckpointStore(root).ReadState(runId, stageName);

    private IDisposable? AcquireLock(string stageName, string lockPath)
    {
        try
        {
            return _fs.TryAcquireLock(lockPath);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException(LockError(stageName, lockPath, e), e);
        }
        catch (IOException e)
        {
            throw new IOException(LockError(stageName, lockPath, e), e);
        }

        // A lock that cannot even be opened is a storage problem (a read-only mount, a full disk, missing
        // permissions), not another run: say what the system said.
        static string LockError(string stageName, string lockPath, Exception e) =>
            $"Stage '{stageName}' cannot open its checkpoint lock '{lockPath}': {e.Message}. " +
            "A run needs to write in its checkpoint folder.";
    }

    private void WriteLockInfo(string infoPath)
    {
        try
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("pid", Environment.ProcessId);
                writer.WriteString("host", Environment.MachineName);
                writer.WriteString("since", _time.GetUtcNow());
                writer.WriteEndObject();
            }

            AtomicFile.WriteAllBytes(_fs, infoPath, buffer.ToArray(), null);
        }
        catch (IOException)
        {
            // The holder's identity is a courtesy for the error message; the lock itself is what counts.
        }
    }

    private (int? Pid, string? Host, DateTimeOffset? Since) ReadLockInfo(string infoPath)
    {
        try
        {
            using var document = JsonDocument.Parse(_fs.ReadAllBytes(infoPath));
            var root = document.RootElement;
            return (root.GetProperty("pid").GetInt32(), root.GetProperty("host").GetString(), root.GetProperty("since").GetDateTimeOffset());
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            return (null, null, null);
        }
    }
}

/// <summary>Checks that stage names and run ids are usable as file and folder names.</summary>
internal static class StageNames
{
    public static void ThrowIfInvalid(string stageName, string runId)
    {
        if (CheckpointKeys.GetProblem(stageName) is { } stageProblem)
        {
            throw new ArgumentException($"Stage name \"{stageName}\" cannot be used as a file name: {stageProblem}.", nameof(stageName));
        }

        if (CheckpointKeys.GetProblem(runId) is { } runProblem)
        {
            throw new ArgumentException($"Run id \"{runId}\" cannot be used as a folder name: {runProblem}.", nameof(runId));
        }
    }
}
