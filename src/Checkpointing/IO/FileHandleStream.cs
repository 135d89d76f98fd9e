namespace Checkpointing.IO;

/// <summary>A write-only <see cref="Stream"/> over an <see cref="IFileHandle"/>, for stream-callback writers.</summary>
internal sealed class FileHandleStream(IFileHandle handle) : Stream
{
    private long _position;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _position;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("The stream of an atomic write only appends.");
    }

    public override void Flush()
    {
        // Writes go straight to the handle; durability is the caller's fsync.
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The stream of an atomic write is write-only.");

    public override long Seek(long offset, SeekOrigin origin) =>
        throw new NotSupportedException("The stream of an atomic write only appends.");

    public override void SetLength(long value) =>
        throw new NotSupportedException("The stream of an atomic write only appends.");

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        handle.Write(buffer);
        _position += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await handle.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _position += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
