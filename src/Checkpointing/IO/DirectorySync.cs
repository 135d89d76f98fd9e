namespace Checkpointing.IO;

/// <summary>
/// Group commit for a directory's fsync: concurrent callers whose renames are done share one fsync.
/// A caller takes its ticket after its rename; whoever fsyncs covers every ticket taken before it started.
/// </summary>
internal sealed class DirectorySync(IFileSystem fs, string directory)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _requested;
    private long _completed;

    /// <summary>Returns once every rename done in the directory before this call is durable.</summary>
    public async ValueTask SyncAsync(CancellationToken cancellationToken)
    {
        var ticket = Interlocked.Increment(ref _requested);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _completed) >= ticket)
            {
                return;
            }

            var upTo = Volatile.Read(ref _requested);
            fs.FsyncDirectory(directory);
            Volatile.Write(ref _completed, upTo);
        }
        finally
        {
            _gate.Release();
        }
    }
}
