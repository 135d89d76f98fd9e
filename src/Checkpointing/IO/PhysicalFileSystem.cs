using System.Runtime.InteropServices;

namespace Checkpointing.IO;

/// <summary>The real file system: <see cref="FileStream"/> plus a directory fsync through libc on Unix.</summary>
internal sealed partial class PhysicalFileSystem : IFileSystem
{
    public static PhysicalFileSystem Instance { get; } = new();

    private PhysicalFileSystem()
    {
    }

    public IFileHandle Open(string path, FileOpenMode mode)
    {
        var (fileMode, access) = mode switch
        {
            FileOpenMode.CreateNew => (FileMode.CreateNew, FileAccess.ReadWrite),
            FileOpenMode.Create => (FileMode.Create, FileAccess.ReadWrite),
            FileOpenMode.Append => (FileMode.OpenOrCreate, FileAccess.ReadWrite),
            FileOpenMode.OpenExisting => (FileMode.Open, FileAccess.ReadWrite),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = fileMode,
            Access = access,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.None,
        });
        if (mode == FileOpenMode.Append)
        {
            stream.Seek(0, SeekOrigin.End);
        }

        return new Handle(path, stream);
    }

    public void Rename(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void Delete(string path) => File.Delete(path);

    public void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            // NTFS journals metadata; there is no directory handle to flush from .NET.
            return;
        }

        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Could not open directory '{directory}' to fsync it (errno {errno}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system does not support fsync on directories (some network mounts).
                if (errno != 22)
                {
                    throw new IOException($"fsync of directory '{directory}' failed (errno {errno}).");
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public void CreateDirectory(string directory) => Directory.CreateDirectory(directory);

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);

    public IDisposable? TryAcquireLock(string path)
    {
        try
        {
            // FileShare.None takes flock(LOCK_EX) on Unix and a share lock on Windows: both are released
            // by the kernel when the process dies, so a killed run never blocks the next one.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException e) when (IsLockViolation(e))
        {
            return null;
        }
    }

    /// <summary>
    /// True only when <paramref name="error"/> says another holder has the lock. Anything else (a read-only
    /// file system, a denied permission, a missing folder) is a real error and must be reported as such,
    /// never as "already running".
    /// </summary>
    internal static bool IsLockViolation(IOException error)
    {
        if (error.GetType() != typeof(IOException))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            // ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION, as an HRESULT.
            return (error.HResult & 0xFFFF) is 32 or 33;
        }

        // On Unix .NET takes flock(LOCK_EX | LOCK_NB) and reports its EWOULDBLOCK with the raw errno as HResult.
        return error.HResult == (OperatingSystem.IsLinux() ? 11 : 35);
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory).Select(System.IO.Path.GetFileName).ToList()!;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    private sealed class Handle(string path, FileStream stream) : IFileHandle
    {
        public string Path { get; } = path;

        public long Length => stream.Length;

        public void Write(ReadOnlySpan<byte> data) => stream.Write(data);

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            stream.WriteAsync(data, cancellationToken);

        public void Fsync() => stream.Flush(flushToDisk: true);

        public void Truncate(long length)
        {
            stream.SetLength(length);
            stream.Seek(length, SeekOrigin.Begin);
        }

        public void Dispose() => stream.Dispose();
    }
}
