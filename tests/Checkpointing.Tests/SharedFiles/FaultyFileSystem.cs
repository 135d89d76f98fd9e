using Checkpointing.IO;

namespace Checkpointing.Tests.SharedFiles;

/// <summary>
/// The physical file system, except that renames onto (or writes to temp files of) paths matching
/// <see cref="FailRenamesTo"/> fail with EIO while <see cref="RenameFailures"/> is above zero.
/// </summary>
internal sealed class FaultyFileSystem : IFileSystem
{
    private readonly IFileSystem _inner = PhysicalFileSystem.Instance;

    public Func<string, bool> FailRenamesTo { get; set; } = _ => false;

    public int RenameFailures { get; set; }

    public int FailedRenames { get; private set; }

    /// <summary>Matching renames that succeed before the failures start.</summary>
    public int SkipFirst { get; set; }

    public IFileHandle Open(string path, FileOpenMode mode) => _inner.Open(path, mode);

    public void Rename(string source, string destination)
    {
        if (RenameFailures > 0 && FailRenamesTo(destination) && SkipFirst-- <= 0)
        {
            RenameFailures--;
            FailedRenames++;
            throw new IOException("Input/output error", 5);
        }

        _inner.Rename(source, destination);
    }

    public void Delete(string path) => _inner.Delete(path);

    public void FsyncDirectory(string directory) => _inner.FsyncDirectory(directory);

    public void CreateDirectory(string directory) => _inner.CreateDirectory(directory);

    public bool FileExists(string path) => _inner.FileExists(path);

    public bool DirectoryExists(string path) => _inner.DirectoryExists(path);

    public byte[] ReadAllBytes(string path) => _inner.ReadAllBytes(path);

    public IDisposable? TryAcquireLock(string path) => _inner.TryAcquireLock(path);

    public IReadOnlyList<string> ListFiles(string directory) => _inner.ListFiles(directory);
}
