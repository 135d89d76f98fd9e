using Checkpointing.IO;

namespace Checkpointing.CrashTests.FileSystem;

/// <summary>What a crash is allowed to do to data that was not made durable.</summary>
public enum CrashModel
{
    /// <summary>The process dies, the kernel lives: everything written survives.</summary>
    ProcessCrash,

    /// <summary>
    /// The machine loses power: file data survives only up to its last successful fsync, and a created,
    /// renamed or deleted name only if its directory was fsynced afterwards.
    /// </summary>
    PowerLoss,

    /// <summary>
    /// Power loss where the device misbehaves as far as POSIX allows: unsynced appends are cut short,
    /// zero-filled or garbage-filled, unsynced overwrites are torn at 512-byte sectors, and each
    /// un-fsynced directory change is applied or not, independently.
    /// </summary>
    Adversarial,
}

/// <summary>
/// An in-memory <see cref="IFileSystem"/> in the spirit of SQLite's crash-test VFS. Each file keeps two
/// images: what reads see (the page cache) and what is on the device (updated only by a successful
/// fsync); each directory keeps its current names and its durable names (updated by a directory fsync).
/// It records a snapshot after every mutating operation so that a test can rebuild the state a crash
/// would leave after any prefix of operations, and it injects ENOSPC or EIO at the Nth write, fsync or
/// rename. Directories themselves are durable once created (the runtime's only directories are created
/// once per run, before any item).
/// </summary>
internal sealed class CrashFileSystem : IFileSystem
{
    private readonly object _sync = new();
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { "/" };
    private readonly Dictionary<string, Dictionary<string, Inode>> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Inode>> _durable = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);
    private readonly List<FileSystemImage>? _snapshots;
    private int _writes;
    private int _fsyncs;
    private int _renames;

    /// <summary>Creates an empty file system; with <paramref name="record"/>, a snapshot is kept after every mutation.</summary>
    public CrashFileSystem(bool record = false)
    {
        if (record)
        {
            _snapshots = [Capture()];
        }
    }

    /// <summary>Creates a file system whose every file and name is durable, holding <paramref name="image"/>.</summary>
    public static CrashFileSystem FromState(CrashState image, bool record = false)
    {
        var fs = new CrashFileSystem();
        foreach (var directory in image.Directories)
        {
            fs.AddDirectory(directory);
        }

        foreach (var (path, content) in image.Files)
        {
            var inode = new Inode(content);
            var (directory, name) = Split(path);
            fs.AddDirectory(directory);
            fs._current[directory][name] = inode;
            fs._durable[directory][name] = inode;
        }

        return record ? fs.StartRecording() : fs;
    }

    private CrashFileSystem StartRecording()
    {
        var copy = new CrashFileSystem(record: true);
        foreach (var directory in _directories)
        {
            copy.AddDirectory(directory);
        }

        foreach (var (directory, names) in _current)
        {
            foreach (var (name, inode) in names)
            {
                var clone = new Inode(inode.Data.ToArray());
                copy._current[directory][name] = clone;
                copy._durable[directory][name] = clone;
            }
        }

        copy._snapshots!.Clear();
        copy._snapshots.Add(copy.Capture());
        return copy;
    }

    private FaultPlan? _fault;
    private int _faultCounter;

    /// <summary>The fault to inject, if any; its N counts the matching operations from when it is set.</summary>
    public FaultPlan? Fault
    {
        get => _fault;
        set
        {
            lock (_sync)
            {
                _fault = value;
                _faultCounter = 0;
            }
        }
    }

    /// <summary>
    /// Fsyncs of matching paths (files or directories) silently do nothing: a stand-in for a runtime that
    /// forgot one, used to prove that the checks catch it.
    /// </summary>
    public Func<string, bool>? SkipFsyncOf { get; set; }

    /// <summary>Writes, fsyncs (of files and directories) and renames so far: the N of a fault plan counts these.</summary>
    public (int Writes, int Fsyncs, int Renames) OperationCounts
    {
        get
        {
            lock (_sync)
            {
                return (_writes, _fsyncs, _renames);
            }
        }
    }

    /// <summary>
    /// Every change fails with <see cref="UnauthorizedAccessException"/>, as in a read-only directory for an
    /// ordinary user (the tests run as root, whom chmod does not stop, so this is injected here instead).
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>How many times the planned fault fired.</summary>
    public int FaultsFired { get; private set; }

    /// <summary>Successful fsyncs that left bytes on the device different from what reads return: a fsync retried after a failure.</summary>
    public int FsyncsOverStaleData { get; private set; }

    /// <summary>The number of mutating operations so far (the crash points are 0 to this number).</summary>
    public int MutationCount
    {
        get
        {
            lock (_sync)
            {
                return _snapshots is null ? _mutations : _snapshots.Count - 1;
            }
        }
    }

    private int _mutations;

    /// <summary>The state a crash after the first <paramref name="mutations"/> mutating operations leaves under <paramref name="model"/>.</summary>
    public CrashState CrashAfter(int mutations, CrashModel model, Random? random = null)
    {
        lock (_sync)
        {
            if (_snapshots is null)
            {
                throw new InvalidOperationException("This file system was not created with record: true.");
            }

            return _snapshots[mutations].Materialize(model, random);
        }
    }

    /// <summary>The state a crash now leaves under <paramref name="model"/>.</summary>
    public CrashState CrashNow(CrashModel model, Random? random = null)
    {
        lock (_sync)
        {
            return Capture().Materialize(model, random);
        }
    }

    /// <summary>The content of a file as reads see it, or null.</summary>
    public byte[]? TryRead(string path)
    {
        lock (_sync)
        {
            var (directory, name) = Split(path);
            return _current.TryGetValue(directory, out var names) && names.TryGetValue(name, out var inode) ? inode.Data.ToArray() : null;
        }
    }

    /// <summary>Paths of every file as reads see them.</summary>
    public IReadOnlyList<string> AllFiles()
    {
        lock (_sync)
        {
            return _current.SelectMany(d => d.Value.Keys.Select(n => Join(d.Key, n))).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Overwrites a file durably (test set-up: hand edits, corruption).</summary>
    public void Put(string path, byte[] content)
    {
        lock (_sync)
        {
            var (directory, name) = Split(path);
            AddDirectory(directory);
            var inode = new Inode(content);
            _current[directory][name] = inode;
            _durable[directory][name] = inode;
        }
    }

    public IFileHandle Open(string path, FileOpenMode mode)
    {
        lock (_sync)
        {
            var (directory, name) = Split(path);
            if (!_directories.Contains(directory))
            {
                throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'.");
            }

            ThrowIfReadOnly(path);
            var names = _current[directory];
            names.TryGetValue(name, out var inode);
            switch (mode)
            {
                case FileOpenMode.CreateNew when inode is not null:
                    throw new IOException($"The file '{path}' already exists.");
                case FileOpenMode.OpenExisting when inode is null:
                    throw new FileNotFoundException($"Could not find file '{path}'.", path);
            }

            if (inode is null)
            {
                inode = new Inode([]) { Synced = false };
                inode.Disk = [];
                names[name] = inode;
                Mutated();
            }
            else if (mode == FileOpenMode.Create)
            {
                inode.Truncate(0);
                Mutated();
            }

            return new Handle(this, path, inode, mode == FileOpenMode.Append ? inode.Data.Length : 0);
        }
    }

    public void Rename(string source, string destination)
    {
        lock (_sync)
        {
            ThrowIfReadOnly(source);
            MaybeFail(FaultOperation.Rename, ref _renames, source);
            var (sourceDirectory, sourceName) = Split(source);
            var (destinationDirectory, destinationName) = Split(destination);
            if (!_current.TryGetValue(sourceDirectory, out var names) || !names.Remove(sourceName, out var inode))
            {
                throw new FileNotFoundException($"Could not find file '{source}'.", source);
            }

            if (!_directories.Contains(destinationDirectory))
            {
                names[sourceName] = inode;
                throw new DirectoryNotFoundException($"Could not find a part of the path '{destination}'.");
            }

            _current[destinationDirectory][destinationName] = inode;
            Mutated();
        }
    }

    public void Delete(string path)
    {
        lock (_sync)
        {
            ThrowIfReadOnly(path);
            var (directory, name) = Split(path);
            if (_current.TryGetValue(directory, out var names) && names.Remove(name))
            {
                Mutated();
            }
        }
    }

    public void FsyncDirectory(string directory)
    {
        lock (_sync)
        {
            directory = Normalize(directory);
            MaybeFail(FaultOperation.Fsync, ref _fsyncs, directory);
            if (!_directories.Contains(directory))
            {
                throw new DirectoryNotFoundException($"Could not find directory '{directory}'.");
            }

            if (SkipFsyncOf?.Invoke(directory) == true)
            {
                return;
            }

            _durable[directory] = new Dictionary<string, Inode>(_current[directory], StringComparer.Ordinal);
            Mutated();
        }
    }

    public void CreateDirectory(string directory)
    {
        lock (_sync)
        {
            if (!_directories.Contains(Normalize(directory)))
            {
                ThrowIfReadOnly(directory);
            }

            if (AddDirectory(Normalize(directory)))
            {
                Mutated();
            }
        }
    }

    public bool FileExists(string path)
    {
        lock (_sync)
        {
            var (directory, name) = Split(path);
            return _current.TryGetValue(directory, out var names) && names.ContainsKey(name);
        }
    }

    public bool DirectoryExists(string path)
    {
        lock (_sync)
        {
            return _directories.Contains(Normalize(path));
        }
    }

    public byte[] ReadAllBytes(string path) =>
        TryRead(path) ?? throw new FileNotFoundException($"Could not find file '{path}'.", path);

    public IDisposable? TryAcquireLock(string path)
    {
        lock (_sync)
        {
            var (directory, name) = Split(path);
            if (!_directories.Contains(directory))
            {
                throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'.");
            }

            // The lock file is opened for writing (O_RDWR | O_CREAT) before it is locked, so a read-only
            // directory refuses it even when it exists.
            ThrowIfReadOnly(path);
            if (!_locks.Add(path))
            {
                return null;
            }

            if (!_current[directory].ContainsKey(name))
            {
                _current[directory][name] = new Inode([]) { Disk = [] };
                Mutated();
            }

            return new Lock(this, path);
        }
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        lock (_sync)
        {
            return _current.TryGetValue(Normalize(directory), out var names) ? names.Keys.ToList() : [];
        }
    }

    private void ThrowIfReadOnly(string path)
    {
        if (ReadOnly)
        {
            throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.");
        }
    }

    private void MaybeFail(FaultOperation operation, ref int counter, string path)
    {
        counter++;
        if (_fault is not { } fault || fault.Operation != operation || (fault.PathSuffix is { } suffix && !path.EndsWith(suffix, StringComparison.Ordinal)))
        {
            return;
        }

        _faultCounter++;
        if (_faultCounter == fault.Nth || (fault.Permanent && _faultCounter > fault.Nth))
        {
            FaultsFired++;
            throw fault.CreateException(path);
        }
    }

    private void Mutated()
    {
        _mutations++;
        _snapshots?.Add(Capture());
    }

    private bool AddDirectory(string directory)
    {
        var added = false;
        for (var d = directory; d is not null && d != "/"; d = Path.GetDirectoryName(d))
        {
            if (_directories.Add(d))
            {
                _current[d] = new Dictionary<string, Inode>(StringComparer.Ordinal);
                _durable[d] = new Dictionary<string, Inode>(StringComparer.Ordinal);
                added = true;
            }
        }

        return added;
    }

    private FileSystemImage Capture()
    {
        var inodes = new Dictionary<Inode, InodeImage>(ReferenceEqualityComparer.Instance);
        InodeImage Of(Inode inode)
        {
            if (!inodes.TryGetValue(inode, out var image))
            {
                image = inode.Capture();
                inodes[inode] = image;
            }

            return image;
        }

        return new FileSystemImage(
            _directories.ToArray(),
            _current.ToDictionary(d => d.Key, d => d.Value.ToDictionary(n => n.Key, n => Of(n.Value), StringComparer.Ordinal), StringComparer.Ordinal),
            _durable.ToDictionary(d => d.Key, d => d.Value.ToDictionary(n => n.Key, n => Of(n.Value), StringComparer.Ordinal), StringComparer.Ordinal));
    }

    private static string Normalize(string path)
    {
        var full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    internal static (string Directory, string Name) Split(string path)
    {
        var full = Normalize(path);
        return (Path.GetDirectoryName(full) ?? "/", Path.GetFileName(full));
    }

    internal static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    /// <summary>A file: what reads see, what the device holds, and which bytes are dirty.</summary>
    private sealed class Inode(byte[] content)
    {
        public byte[] Data = content;
        public byte[] Disk = content;
        public bool[] Dirty = new bool[content.Length];
        public bool Synced = true;

        public void Write(long offset, ReadOnlySpan<byte> bytes)
        {
            var end = checked((int)offset + bytes.Length);
            if (end > Data.Length)
            {
                var start = Data.Length;
                Array.Resize(ref Data, end);
                Array.Resize(ref Dirty, end);
                for (var i = start; i < offset; i++)
                {
                    Dirty[i] = true;
                }
            }
            else
            {
                Data = Data.ToArray();
            }

            bytes.CopyTo(Data.AsSpan((int)offset));
            for (var i = (int)offset; i < end; i++)
            {
                Dirty[i] = true;
            }

            Synced = false;
        }

        public void Truncate(long length)
        {
            var old = Data.Length;
            Data = Data.AsSpan(0, (int)Math.Min(length, old)).ToArray();
            Array.Resize(ref Data, (int)length);
            Array.Resize(ref Dirty, (int)length);
            for (var i = old; i < length; i++)
            {
                Dirty[i] = true;
            }

            Synced = false;
        }

        /// <summary>A successful fsync writes the dirty bytes; bytes marked clean by a failed fsync stay as the device has them.</summary>
        public bool Fsync()
        {
            var disk = new byte[Data.Length];
            var stale = false;
            for (var i = 0; i < disk.Length; i++)
            {
                disk[i] = Dirty[i] ? Data[i] : i < Disk.Length ? Disk[i] : (byte)0;
                stale |= disk[i] != Data[i];
            }

            Disk = disk;
            Dirty = new bool[Data.Length];
            Synced = true;
            return stale;
        }

        /// <summary>A failed fsync: the kernel marks the pages clean although the device did not take them.</summary>
        public void FailFsync() => Dirty = new bool[Data.Length];

        public InodeImage Capture() => new(Data, Disk, Dirty.ToArray());
    }

    private sealed class Handle(CrashFileSystem fs, string path, Inode inode, long position) : IFileHandle
    {
        private long _position = position;
        private bool _disposed;

        public string Path { get; } = path;

        public long Length
        {
            get
            {
                lock (fs._sync)
                {
                    return inode.Data.Length;
                }
            }
        }

        public void Write(ReadOnlySpan<byte> data)
        {
            lock (fs._sync)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                fs.MaybeFail(FaultOperation.Write, ref fs._writes, Path);
                inode.Write(_position, data);
                _position += data.Length;
                fs.Mutated();
            }
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Write(data.Span);
            return ValueTask.CompletedTask;
        }

        public void Fsync()
        {
            lock (fs._sync)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                try
                {
                    fs.MaybeFail(FaultOperation.Fsync, ref fs._fsyncs, Path);
                }
                catch (IOException)
                {
                    inode.FailFsync();
                    fs.Mutated();
                    throw;
                }

                if (fs.SkipFsyncOf?.Invoke(Path) == true)
                {
                    return;
                }

                if (inode.Fsync())
                {
                    fs.FsyncsOverStaleData++;
                }

                fs.Mutated();
            }
        }

        public void Truncate(long length)
        {
            lock (fs._sync)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                inode.Truncate(length);
                _position = length;
                fs.Mutated();
            }
        }

        public void Dispose() => _disposed = true;
    }

    private sealed class Lock(CrashFileSystem fs, string path) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            lock (fs._sync)
            {
                if (!_released)
                {
                    _released = true;
                    fs._locks.Remove(path);
                }
            }
        }
    }
}
