using Checkpointing.IO;

namespace Checkpointing.Tests.Lsi;

/// <summary>
/// The physical file system, except that while <see cref="Full"/> is set a write puts half of its bytes on
/// disk and then fails with ENOSPC, as a full disk does; <see cref="FailOpen"/> makes every open fail.
/// </summary>
internal sealed class DiskFullFileSystem : IFileSystem
{
    private readonly IFileSystem _inner = PhysicalFileSystem.Instance;

    public bool Full { get; set; }

    public bool FailOpen { get; set; }

    public int FailedWrites { get; private set; }

    public IFileHandle Open(string path, FileOpenMode mode) =>
        FailOpen ? throw new IOException("No space left on device") : new Handle(this, _inner.Open(path, mode));

    public void Rename(string source, string destination) => _inner.Rename(source, destination);

    public void Delete(string path) => _inner.Delete(path);

    public void FsyncDirectory(string directory) => _inner.FsyncDirectory(directory);

    public void CreateDirectory(string directory)
    {
        if (FailOpen)
        {
            throw new UnauthorizedAccessException($"Access to the path '{directory}' is denied.");
        }

        _inner.CreateDirectory(directory);
    }

    public bool FileExists(string path) => _inner.FileExists(path);

    public bool DirectoryExists(string path) => _inner.DirectoryExists(path);

    public byte[] ReadAllBytes(string path) => _inner.ReadAllBytes(path);

    public IDisposable? TryAcquireLock(string path) => _inner.TryAcquireLock(path);

    public IReadOnlyList<string> ListFiles(string directory) => _inner.ListFiles(directory);

    private sealed class Handle(DiskFullFileSystem owner, IFileHandle inner) : IFileHandle
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data)
        {
            if (owner.Full)
            {
                inner.Write(data[..(data.Length / 2)]);
                owner.FailedWrites++;
                throw new IOException("No space left on device");
            }

            inner.Write(data);
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            Write(data.Span);
            return ValueTask.CompletedTask;
        }

        public void Fsync() => inner.Fsync();

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
