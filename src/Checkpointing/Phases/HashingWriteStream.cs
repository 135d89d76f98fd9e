using System.Buffers;
using System.Security.Cryptography;

namespace Checkpointing.Phases;

/// <summary>
/// A write-only pass-through that hashes (SHA-256) what it forwards and batches small writes into large
/// ones, so a state serialized in 16 KB pieces reaches the file in a few big writes and is checksummed
/// on the way, without a second copy of the whole state in memory.
/// </summary>
internal sealed class HashingWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer;
    private int _count;
    private long _length;

    public HashingWriteStream(Stream inner, int bufferSize)
    {
        _inner = inner;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>Forwards what is buffered and returns the SHA-256 of everything written.</summary>
    public async Task<byte[]> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_count > 0)
        {
            await _inner.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
            _count = 0;
        }

        return _hash.GetHashAndReset();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, _buffer.Length - _count);
            buffer[..take].CopyTo(_buffer.AsSpan(_count));
            _count += take;
            buffer = buffer[take..];
            if (_count == _buffer.Length)
            {
                _inner.Write(_buffer, 0, _count);
                _count = 0;
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, _buffer.Length - _count);
            buffer[..take].CopyTo(_buffer.AsMemory(_count));
            _count += take;
            buffer = buffer[take..];
            if (_count == _buffer.Length)
            {
                await _inner.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
                _count = 0;
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The serializer flushes after every piece it writes; forwarding each would undo the batching.
    // Nothing reads the temp file before CompleteAsync and the fsync that follows it.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            _hash.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        base.Dispose(disposing);
    }
}
