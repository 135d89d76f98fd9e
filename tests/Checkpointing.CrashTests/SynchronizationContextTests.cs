using Checkpointing.CrashTests.FileSystem;
using Checkpointing.IO;

namespace Checkpointing.CrashTests;

/// <summary>
/// The IO layer never resumes on its caller's <see cref="SynchronizationContext"/> (a UI thread, a classic
/// ASP.NET request): a caller that blocks on the task there would deadlock. Each await is made to complete
/// later, from the test, so that a continuation that captured the context would have to be posted to it.
/// </summary>
public sealed class SynchronizationContextTests
{
    private const string Target = "/crash/context/target.bin";

    [Fact]
    public async Task An_async_atomic_write_resumes_off_the_caller_s_context_after_the_writer()
    {
        var fs = new CrashFileSystem();
        var writerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = new CountingSynchronizationContext();
        var write = context.Run(() => AtomicFile.WriteCoreAsync(fs, Target, (stream, _) =>
        {
            stream.Write("content"u8);
            return writerDone.Task;
        }, null, CancellationToken.None));
        Assert.False(write.IsCompleted);

        writerDone.SetResult();
        await write;
        Assert.Equal(0, context.Posts);
        Assert.Equal("content"u8.ToArray(), fs.ReadAllBytes(Target));
    }

    [Fact]
    public async Task The_write_stream_resumes_off_the_caller_s_context_after_a_write_the_file_completes_later()
    {
        var handle = new LaterHandle();
        var stream = new FileHandleStream(handle);
        var context = new CountingSynchronizationContext();
        var write = context.Run(() => stream.WriteAsync(new byte[] { 1, 2, 3 }).AsTask());
        Assert.False(write.IsCompleted);

        handle.Complete();
        await write;
        Assert.Equal(0, context.Posts);
        Assert.Equal(3, stream.Length);
    }

    /// <summary>A file handle whose asynchronous write completes when the test says so.</summary>
    private sealed class LaterHandle : IFileHandle
    {
        private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Path => Target;

        public long Length { get; private set; }

        public void Complete() => _written.SetResult();

        public void Write(ReadOnlySpan<byte> data) => Length += data.Length;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await _written.Task.ConfigureAwait(false);
            Length += data.Length;
        }

        public void Fsync()
        {
        }

        public void Truncate(long length) => Length = length;

        public void Dispose()
        {
        }
    }
}

/// <summary>A context that counts what is posted to it (and runs it on the thread pool).</summary>
internal sealed class CountingSynchronizationContext : SynchronizationContext
{
    private int _posts;

    public int Posts => Volatile.Read(ref _posts);

    public override void Post(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posts);
        ThreadPool.QueueUserWorkItem(_ => d(state));
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posts);
        d(state);
    }

    /// <summary>Starts <paramref name="start"/> with this context current, as a caller on a UI thread would.</summary>
    public T Run<T>(Func<T> start)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return start();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
