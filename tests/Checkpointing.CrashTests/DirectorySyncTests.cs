using Checkpointing.CrashTests.FileSystem;
using Checkpointing.IO;

namespace Checkpointing.CrashTests;

/// <summary>
/// The group commit of a folder's fsync (<see cref="DirectorySync"/>): a caller returns only when a folder
/// fsync that started after its rename has completed; callers that queue behind one fsync share the next.
/// The order of events is forced with gates, never with delays.
/// </summary>
public sealed class DirectorySyncTests
{
    private const string Directory = "/crash/sync";

    [Fact]
    public async Task Callers_one_after_another_each_get_their_own_folder_fsync()
    {
        var fs = new GatedFileSystem();
        var sync = new DirectorySync(fs, Directory);
        for (var i = 1; i <= 3; i++)
        {
            AtomicFile.Write(fs, $"{Directory}/{i}.json", s => s.WriteByte((byte)i), new AtomicWriteOptions { SkipDirectorySync = true });
            await sync.SyncAsync(CancellationToken.None);
            Assert.Equal(i, fs.DirectoryFsyncs);

            // What the caller renamed is durable when it returns.
            Assert.Equal([(byte)i], fs.Inner.CrashNow(CrashModel.PowerLoss).Files[$"{Directory}/{i}.json"]);
        }
    }

    [Fact]
    public async Task Callers_that_queue_behind_a_running_fsync_share_the_next_one()
    {
        var fs = new GatedFileSystem();
        var sync = new DirectorySync(fs, Directory);
        fs.Gate = new SemaphoreSlim(0);

        // The first caller's fsync starts and blocks; two more callers queue behind it.
        var first = Task.Run(() => sync.SyncAsync(CancellationToken.None).AsTask());
        await fs.Entered.WaitAsync();
        // They are callers on a UI-like context: the wait must not resume there (SynchronizationContextTests).
        var context = new CountingSynchronizationContext();
        var second = context.Run(() => sync.SyncAsync(CancellationToken.None).AsTask());
        var third = context.Run(() => sync.SyncAsync(CancellationToken.None).AsTask());
        Assert.False(second.IsCompleted || third.IsCompleted);

        // The second caller's fsync covers the third, which started before it: two fsyncs for three callers.
        fs.Gate.Release(100);
        await Task.WhenAll(first, second, third);
        Assert.Equal(2, fs.DirectoryFsyncs);
        Assert.Equal(0, context.Posts);

        // A later caller gets a fsync of its own again.
        await sync.SyncAsync(CancellationToken.None);
        Assert.Equal(3, fs.DirectoryFsyncs);
    }

    [Fact]
    public async Task A_failed_fsync_reaches_its_caller_and_the_next_caller_fsyncs_again()
    {
        var fs = new GatedFileSystem();
        var sync = new DirectorySync(fs, Directory);
        fs.Inner.Fault = new FaultPlan(FaultOperation.Fsync, 1, FaultKind.IoError, Permanent: false, PathSuffix: Directory);
        var error = await Assert.ThrowsAsync<IOException>(() => sync.SyncAsync(CancellationToken.None).AsTask());
        Assert.Contains(FaultPlan.IoErrorMessage, error.Message);

        // Nothing was made durable, so the next caller may not be excused: it fsyncs (and the gate was released).
        await sync.SyncAsync(CancellationToken.None);
        Assert.Equal(2, fs.DirectoryFsyncs);
    }

    /// <summary>The crash file system, with a count of folder fsyncs and an optional gate that holds each one.</summary>
    private sealed class GatedFileSystem : IFileSystem
    {
        public CrashFileSystem Inner { get; } = new();

        public SemaphoreSlim? Gate { get; set; }

        public SemaphoreSlim Entered { get; } = new(0);

        public int DirectoryFsyncs;

        public GatedFileSystem() => Inner.CreateDirectory(Directory);

        public void FsyncDirectory(string directory)
        {
            Entered.Release();
            Gate?.Wait();
            Interlocked.Increment(ref DirectoryFsyncs);
            Inner.FsyncDirectory(directory);
        }

        public IFileHandle Open(string path, FileOpenMode mode) => Inner.Open(path, mode);

        public void Rename(string source, string destination) => Inner.Rename(source, destination);

        public void Delete(string path) => Inner.Delete(path);

        public void CreateDirectory(string directory) => Inner.CreateDirectory(directory);

        public bool FileExists(string path) => Inner.FileExists(path);

        public bool DirectoryExists(string path) => Inner.DirectoryExists(path);

        public byte[] ReadAllBytes(string path) => Inner.ReadAllBytes(path);

        public IDisposable? TryAcquireLock(string path) => Inner.TryAcquireLock(path);

        public IReadOnlyList<string> ListFiles(string directory) => Inner.ListFiles(directory);
    }
}
