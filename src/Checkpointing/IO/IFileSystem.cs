namespace Checkpointing.IO;

/// <summary>How <see cref="IFileSystem.Open"/> opens a file.</summary>
internal enum FileOpenMode
{
    /// <summary>Create a new file; fail if it exists.</summary>
    CreateNew,
    /// <summary>Create the file or truncate it to zero length.</summary>
    Create,
    /// <summary>Open an existing file or create it, positioned at its end, for appends.</summary>
    Append,
    /// <summary>Open an existing file for reading and writing at offset 0.</summary>
    OpenExisting,
}

/// <summary>
/// Every durable file operation of the runtime goes through this interface, so that tests can record
/// the operations, inject faults (ENOSPC, EIO at the Nth call) and rebuild the state a crash or a power
/// loss would leave. The physical implementation is <see cref="PhysicalFileSystem"/>.
/// </summary>
internal interface IFileSystem
{
    IFileHandle Open(string path, FileOpenMode mode);

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it atomically.</summary>
    void Rename(string source, string destination);

    void Delete(string path);

    /// <summary>Makes the directory entries of <paramref name="directory"/> durable (new names, renames, deletes).</summary>
    void FsyncDirectory(string directory);

    void CreateDirectory(string directory);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>Reads a whole file; throws <see cref="FileNotFoundException"/> when it does not exist.</summary>
    byte[] ReadAllBytes(string path);

    /// <summary>
    /// Takes an exclusive lock on <paramref name="path"/> (created if missing) that the operating system
    /// releases when the process dies; <see langword="null"/> only when another holder has it. Any other
    /// failure to open the lock file (read-only file system, permission denied) is thrown as it is.
    /// </summary>
    IDisposable? TryAcquireLock(string path);

    /// <summary>File names (not paths) in <paramref name="directory"/>; empty when it does not exist.</summary>
    IReadOnlyList<string> ListFiles(string directory);
}

/// <summary>An open file of an <see cref="IFileSystem"/>.</summary>
internal interface IFileHandle : IDisposable
{
    string Path { get; }

    long Length { get; }

    /// <summary>Writes at the current end of what this handle wrote (or at the end, in append mode).</summary>
    void Write(ReadOnlySpan<byte> data);

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Flushes the file's data to the storage device (fsync).</summary>
    void Fsync();

    /// <summary>Cuts the file to <paramref name="length"/> bytes and continues writing from there.</summary>
    void Truncate(long length);
}
