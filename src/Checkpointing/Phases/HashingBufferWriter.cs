using System.Buffers;
using System.Security.Cryptography;

namespace Checkpointing.Phases;

/// <summary>
/// The sink of a snapshot's <see cref="System.Text.Json.Utf8JsonWriter"/>: a fixed buffer that, whenever
/// it fills, is hashed (SHA-256) and written to the file. A writer over a <see cref="Stream"/> (and the
/// serializer's fast path) would keep the whole document in memory until the end; over this sink, a 10 MB
/// state reaches the disk in 256 KB pieces and is never held twice.
/// </summary>
internal sealed class HashingBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly Stream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer;
    private int _count;

    public HashingBufferWriter(Stream file, int bufferSize)
    {
        _file = file;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_count + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _count += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_count);
    }

    /// <summary>Appends raw bytes (the fixed parts of the envelope).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = GetSpan();
            var take = Math.Min(span.Length, bytes.Length);
            bytes[..take].CopyTo(span);
            Advance(take);
            bytes = bytes[take..];
        }
    }

    /// <summary>Writes what is buffered and returns the SHA-256 of everything written.</summary>
    public byte[] Complete()
    {
        WriteBuffer();
        return _hash.GetHashAndReset();
    }

    public void Dispose()
    {
        _hash.Dispose();
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _count >= sizeHint)
        {
            return;
        }

        WriteBuffer();
        if (_buffer.Length < sizeHint)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(sizeHint);
        }
    }

    private void WriteBuffer()
    {
        if (_count == 0)
        {
            return;
        }

        _hash.AppendData(_buffer, 0, _count);
        _file.Write(_buffer, 0, _count);
        _count = 0;
    }
}
